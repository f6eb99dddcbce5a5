// The doctor's process-wide checks: Node, the data directory, the HTTP port, the running node.
import { existsSync, statSync, statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type { CoreConfig } from './core-plugins.js';
import { diagnoseDir } from './storage.js';
import { fail, pass, warn, type CheckContext, type DoctorCheck } from './doctor.js';

const GiB = 2 ** 30;
/** Below this a node soon stops: LMDB stores, proofs, the CRS and logs all live in the data directory. */
export const DATA_DIR_MIN_FREE_BYTES = 1 * GiB;
export const DATA_DIR_WARN_FREE_BYTES = 5 * GiB;

export function coreChecks(ctx: CheckContext<CoreConfig>): DoctorCheck[] {
  const core = ctx.config;
  return [
    {
      name: 'node-version',
      run: async () => checkNodeVersion(process.version),
    },
    { name: 'data-dir', run: async () => checkDataDir(core.dataDir) },
    { name: 'port', run: async () => checkPort(ctx) },
    {
      name: 'node',
      run: async () => {
        const { url, info } = await ctx.node();
        const roles = info.plugins.filter((p) => p.mode === 'role').map((p) => p.name);
        if (!info.ready) return warn(`quetzal ${info.version} (pid ${info.pid}) at ${url} is not ready yet (roles: ${roles.join(', ') || 'none'})`, 'wait for start-up to finish (a first start computes the CRS and VKs); /ready turns 200 then');
        return pass(`quetzal ${info.version} (pid ${info.pid}) at ${url}, up ${Math.round((Date.now() - info.startedAt) / 1000)} s, roles: ${roles.join(', ') || 'none'}`);
      },
    },
  ];
}

export function checkNodeVersion(version: string) {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  return major >= 20 ? pass(`Node ${version}`) : fail(`Node ${version} is older than 20`, 'install Node 20 or newer');
}

export function checkDataDir(dir: string, thresholds = { min: DATA_DIR_MIN_FREE_BYTES, warn: DATA_DIR_WARN_FREE_BYTES }) {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) return fail(`${existing} is a file, not a directory`, 'pass a --data-dir that is a directory (or does not exist yet)');
  // the same write probe `start` runs (root passes access() checks on a read-only mount)
  const problem = diagnoseDir(existing);
  if (problem) return fail(`${existing}: ${problem.cause}`, `free space, give the node's user write access to it, fix the mount, or pass another --data-dir`);
  const fs = statfsSync(existing);
  const free = fs.bavail * fs.bsize;
  const shown = `${(free / GiB).toFixed(1)} GiB free in ${dir}`;
  if (free < thresholds.min) return fail(shown, `free space on that disk (at least ${(thresholds.min / GiB).toFixed(0)} GiB), or pass a --data-dir on a larger one`);
  if (free < thresholds.warn) return warn(shown, `LMDB stores grow with the chain and each proof takes megabytes: plan for ${(thresholds.warn / GiB).toFixed(0)} GiB`);
  return pass(shown);
}

async function checkPort(ctx: CheckContext<CoreConfig>) {
  const { port, host } = ctx.config;
  if (port === 0) return pass('--port 0: the node picks a free port');
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
  if (free) return pass(`${host}:${port} is free`);
  const node = await ctx.node().catch(() => undefined);
  if (node) return pass(`${host}:${port} is this node's (pid ${node.info.pid})`);
  return fail(`${host}:${port} is taken by a program that is not a Quetzal node`, `stop that program, or pass another --port`);
}

/** Share of an LMDB map in use above which the doctor warns, and fails (writes fail at 100%). */
export const LMDB_WARN_USED = 0.75;
export const LMDB_FAIL_USED = 0.9;

/**
 * Headroom of an LMDB environment: its data file's size against the map size it is opened with
 * (LMDB refuses writes beyond the map) and against the free disk. Pass before the store exists.
 */
export function lmdbHeadroomCheck(name: string, dataFile: string, mapSizeBytes: number): DoctorCheck {
  return {
    name,
    run: async () => {
      if (!existsSync(dataFile)) return pass(`${dataFile} does not exist yet`);
      const used = statSync(dataFile).size;
      const fs = statfsSync(dirname(dataFile));
      const free = fs.bavail * fs.bsize;
      const share = used / mapSizeBytes;
      const shown = `${dataFile}: ${(used / GiB).toFixed(2)} GiB of a ${(mapSizeBytes / GiB).toFixed(0)} GiB map (${(share * 100).toFixed(1)}%), ${(free / GiB).toFixed(1)} GiB free on its disk`;
      if (share >= LMDB_FAIL_USED) return fail(shown, 'prune or move the store: LMDB refuses writes once its map is full');
      if (free < mapSizeBytes - used && free < DATA_DIR_MIN_FREE_BYTES) return fail(shown, 'free disk space: the store cannot grow to its map size');
      if (share >= LMDB_WARN_USED) return warn(shown, 'plan for a larger map or less history (--world-state.history-depth)');
      return pass(shown);
    },
  };
}
