// Pieces of the fault-injection suite: a small tmpfs of its own (a mount namespace kept alive by a
// holder process, so the data survives the node's restarts), filling it, and the event-loop lag a
// node reports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  /** The mount point, as the processes started with `wrap` see it. */
  dir: string;
  /** Prefix for startCli/runCli: runs the command inside the namespace. */
  wrap: string[];
  /** A path inside the tmpfs, reachable from this (test) process. */
  hostPath(...parts: string[]): string;
  stop(): Promise<void>;
}

/** How to make a mount namespace here: as root, or as a user through a user namespace; undefined if neither works. */
function unshareFlags(): string[] | undefined {
  for (const flags of [['-m'], ['-r', '-m']]) {
    const r = spawnSync('unshare', [...flags, 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], { stdio: 'ignore' });
    if (r.status === 0) return flags;
  }
  return undefined;
}
let flags: string[] | undefined | null = null;

/** Why tmpfs faults cannot run here, or undefined when they can. */
export function tmpfsUnavailable(): string | undefined {
  if (flags === null) flags = unshareFlags();
  return flags ? undefined : 'needs `unshare -m` (root) or user namespaces to mount a tmpfs';
}

/** A tmpfs of `sizeMb`, read-only when asked, mounted over a fresh directory in a namespace of its own. */
export async function startTmpfs(sizeMb: number, options: { readOnly?: boolean } = {}): Promise<Tmpfs> {
  if (tmpfsUnavailable()) throw new Error(tmpfsUnavailable());
  const dir = mkdtempSync(join(tmpdir(), 'qz-tmpfs-'));
  const mount = `mount -t tmpfs -o size=${sizeMb}m tmpfs "$0"${options.readOnly ? ' && mount -o remount,ro "$0"' : ''}`;
  const holder: ChildProcess = spawn('unshare', [...flags!, 'sh', '-c', `${mount} && echo mounted && exec sleep 3600`, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    holder.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('mounted')) resolve();
    });
    holder.stderr!.on('data', (d) => (out += d));
    holder.once('exit', (code) => reject(new Error(`could not mount a tmpfs (exit ${code}): ${out}`)));
  });
  const userNs = flags!.includes('-r');
  return {
    dir,
    wrap: ['nsenter', '-t', String(holder.pid), '-m', ...(userNs ? ['-U', '--preserve-credentials'] : []), '--'],
    hostPath: (...parts) => join(`/proc/${holder.pid}/root`, dir, ...parts),
    async stop() {
      const gone = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGKILL');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a ballast file until the filesystem is full (the fault); returns its path to free the space again. */
export function fillDisk(path: string): string {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 0xa5);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // what is left is less than a chunk: take it too
  const tail = openSync(`${path}.tail`, 'w');
  try {
    for (;;) writeSync(tail, Buffer.alloc(4096));
  } catch {
    /* full */
  } finally {
    closeSync(tail);
  }
  return path;
}

export function freeDisk(ballast: string): void {
  rmSync(ballast, { force: true });
  rmSync(`${ballast}.tail`, { force: true });
}

/**
 * The largest event-loop lag (ms) the node saw since the last scrape: prom-client resets the
 * histogram behind `quetzal_nodejs_eventloop_lag_max_seconds` on every collection.
 */
export async function maxLagMs(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /^quetzal_nodejs_eventloop_lag_max_seconds ([0-9.e+-]+)$/m.exec(text);
  if (!m) throw new Error('the node exports no quetzal_nodejs_eventloop_lag_max_seconds');
  return Math.round(Number(m[1]) * 1000);
}

/** JSON log lines of a process's output. */
export function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    // LMDB's native code prints "Write error: ..." on a full disk without a newline: our line follows it
    .map((l) => l.slice(Math.max(0, l.indexOf('{"level":'))))
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
