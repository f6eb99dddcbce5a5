// Faults of the data directory's disk (full, read-only, failing, not ours): checked before any role
// starts, and recognised when a store fails later, so that the operator reads which path and why
// instead of a bare "Input/output error" (what LMDB reports for a full tmpfs) or a stack trace.
import { closeSync, constants, fsyncSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { withinMs } from './time-limit.js';

/** Below this much free space a node would fail within minutes: refuse to start. */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

const CODES: Record<string, string> = {
  ENOSPC: 'no space left on its device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'it is on a read-only filesystem',
  EIO: 'an I/O error (a full or failing disk)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};
/** errno numbers as LMDB reports them (it throws `code: 5` and no name). */
const ERRNO: Record<number, string> = { 5: 'EIO', 13: 'EACCES', 28: 'ENOSPC', 30: 'EROFS', 122: 'EDQUOT', 1: 'EPERM' };
const MESSAGES: Array<[RegExp, string]> = [
  [/no space left on device/i, 'ENOSPC'],
  [/read-only file system/i, 'EROFS'],
  [/input\/output error/i, 'EIO'],
  [/quota exceeded/i, 'EDQUOT'],
];

/** A failure of the disk under a path, with what the operator can do about it. */
export class StorageError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    cause: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${cause}`, options);
    this.name = 'StorageError';
  }
}

/** The errno name behind `err` when it is a disk fault (LMDB's commit failures included), else undefined. */
export function storageFaultCode(err: unknown): string | undefined {
  if (err instanceof StorageError) return err.code;
  if (!(err instanceof Error)) return undefined;
  const e = err as NodeJS.ErrnoException & { code?: unknown; commitError?: unknown };
  if (typeof e.code === 'string' && e.code in CODES) return e.code;
  if (typeof e.code === 'number' && ERRNO[e.code]) return ERRNO[e.code];
  for (const [pattern, code] of MESSAGES) if (pattern.test(e.message)) return code;
  // lmdb-js: "Commit failed (see commitError for details)", the details in a separate promise
  if (e.commitError !== undefined || /^Commit failed/.test(e.message)) return 'EIO';
  return err.cause !== undefined ? storageFaultCode(err.cause) : undefined;
}

/**
 * What is wrong with `dir` now: full, read-only or not writable, measured on the spot (a full disk
 * often surfaces as EIO). Undefined when a test write succeeds and space remains.
 */
export function diagnoseDir(dir: string): { code: string; cause: string } | undefined {
  // The write probe first: a small read-only filesystem is read-only, not full.
  const probe = join(dir, `.quetzal-write-test-${process.pid}`);
  try {
    const fd = openSync(probe, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o600);
    try {
      writeSync(fd, Buffer.alloc(64 * 1024));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
      rmSync(probe, { force: true });
    }
  } catch (err) {
    const code = storageFaultCode(err) ?? (err as NodeJS.ErrnoException).code ?? 'EIO';
    return { code, cause: CODES[code] ?? `cannot write (${code})` };
  }
  const s = statfsSync(dir);
  const free = s.bavail * s.bsize;
  if (free < MIN_FREE_BYTES) {
    return { code: 'ENOSPC', cause: `no space left on its device (${formatBytes(free)} free; at least ${formatBytes(MIN_FREE_BYTES)} needed)` };
  }
  return undefined;
}

/**
 * Checks the data directory before anything is stored in it: it can be created, written and has
 * room. Throws a StorageError that names the directory, the cause and the fix.
 */
export function checkDataDir(dir: string, flag = '--data-dir'): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = storageFaultCode(err) ?? (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new StorageError(dir, code, `cannot create the data directory: ${CODES[code] ?? code}; ${fix(flag)}`, { cause: err });
  }
  const problem = diagnoseDir(dir);
  if (problem) throw new StorageError(dir, problem.code, `the data directory is not usable: ${problem.cause}; ${fix(flag)}`);
}

/**
 * The fault as the operator should read it: the path, the cause measured now (a full disk is
 * reported as such even when the store said EIO), and that committed data is kept.
 */
export function describeStorageFault(err: unknown, dir: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = storageFaultCode(err) ?? 'EIO';
  const path = (err as NodeJS.ErrnoException).path ?? dir;
  const measured = diagnoseDir(dir);
  const cause = measured?.cause ?? CODES[code] ?? code;
  return new StorageError(path, measured?.code ?? code, `storage failure: ${cause}. Committed data is kept: free space (or fix the disk) and start again`, { cause: err });
}

function fix(flag: string): string {
  return `free space, fix its permissions or mount, or pass another ${flag}`;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.floor(n / (1024 * 1024))} MiB` : `${n} bytes`;
}

/**
 * Closes an LMDB root database. After a commit failed (a full disk), lmdb-js can keep its flush
 * promise pending for good and `close()` waits on it forever, so the stop of every role after this
 * one would hang. What was committed is on disk already: past `limitMs` the close is left to the
 * process exit, with a warning naming the store.
 */
export async function closeStore(root: { close(): Promise<void> }, path: string, limitMs = 2000): Promise<void> {
  if (!(await withinMs(root.close(), limitMs))) console.warn(`${path}: the store did not close within ${limitMs} ms (a write failed before); its committed data is kept`);
}
