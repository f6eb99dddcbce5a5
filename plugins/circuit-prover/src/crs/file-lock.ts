// A cross-process lock file (`open O_EXCL`) holding the owner's pid. A lock whose owner is gone
// (crash, kill -9) is taken over, so a dead generator never blocks the next process.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FileLock {
  release(): void;
}

/**
 * Waits until `path` can be created, then holds it (one holder per process: callers dedupe in-process). `onWait` is called once with the holder's pid
 * when another live process has it.
 */
export async function acquireFileLock(path: string, opts: { pollMs?: number; onWait?: (pid: number) => void; signal?: AbortSignal } = {}): Promise<FileLock> {
  let told = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    // Written aside then hard-linked: the lock appears atomically with its pid in it.
    const mine = `${path}.${process.pid}`;
    writeFileSync(mine, String(process.pid));
    try {
      linkSync(mine, path);
      return { release: () => rmSync(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(mine, { force: true });
    }
    let pid: number;
    try {
      pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      continue; // released between our open and read
    }
    if (!Number.isInteger(pid) || !alive(pid) || pid === process.pid) {
      // A stale lock: take it over. (Callers serialise within a process, so our own pid here is a
      // leftover of an earlier process that had the same pid.)
      rmSync(path, { force: true });
      continue;
    }
    if (!told) {
      told = true;
      opts.onWait?.(pid);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
}
