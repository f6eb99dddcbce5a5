/**
 * `work`'s value if it settles within `ms`, else `undefined` (work keeps running; its timer is
 * cleared either way, so a finished race never holds the process open).
 */
export async function withinMs<T>(work: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([work.then((value) => ({ value })), limit]);
  } finally {
    clearTimeout(timer);
  }
}
