// Where the prover's CRS comes from, and the checks before bb may use it.
//   dev:      <dataDir>/crs/dev (or --crs-path), generated from the public seed on first use under
//             a lock shared by every process; INSECURE (tau is public).
//   ignition: --crs-path to a provisioned copy of Aztec's Ignition points (bn254_g1.dat).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '@quetzal/kernel/logging';
import { MAX_CIRCUIT_GATES } from '@quetzal/protocol/constants';
import { WorkerPool } from '@quetzal/kernel/worker-pool';
import { CRS_WORKER_MODULE, DEV_CRS_SEED, G1_FILE, G2_FILE, devTau, generateDevCrs, tauG1Bytes } from './dev-crs.js';
import type { CrsWorkerApi } from './crs-worker.js';
import { acquireFileLock } from './file-lock.js';
import { G2_BYTES, IGNITION_G2 } from './g2.js';
import { G1_POINT_BYTES } from './g1-powers.js';

export type CrsMode = 'dev' | 'ignition';
export const CRS_MODES: readonly CrsMode[] = ['dev', 'ignition'];

/** Points the protocol needs: the largest circuit's dyadic size (2-proof circuits are 2^21). */
export const REQUIRED_CRS_POINTS = MAX_CIRCUIT_GATES;

export interface CrsOptions {
  mode: CrsMode;
  /** The node's data directory (the dev CRS lives in <dataDir>/crs/dev). */
  dataDir?: string;
  /** The CRS directory: required for ignition; overrides <dataDir>/crs/dev for dev. */
  crsPath?: string;
  /** Points needed (default REQUIRED_CRS_POINTS). */
  points?: number;
  logger: Logger;
  /** Worker threads for dev generation (default: all cores). */
  threads?: number;
  signal?: AbortSignal;
}

export interface Crs {
  mode: CrsMode;
  /** What bb reads as CRS_PATH. */
  dir: string;
  /** Points available in bn254_g1.dat. */
  points: number;
  /** [tau]G2 (128 B, bb layout); undefined for an Ignition copy without bn254_g2.dat. */
  g2?: Uint8Array;
  /** Identifies the setup: sha256 of [tau]G1 (first 16 hex digits). Keys the VK cache. */
  id: string;
  /** True for dev: tau is public. */
  insecure: boolean;
}

export class CrsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrsError';
  }
}

export function crsDir(opts: Pick<CrsOptions, 'mode' | 'dataDir' | 'crsPath'>): string {
  if (opts.crsPath) return resolve(opts.crsPath);
  if (opts.mode === 'ignition') throw new CrsError('--crs-path is required with --crs ignition: point it at a directory holding the Ignition bn254_g1.dat (and bn254_g2.dat)');
  if (!opts.dataDir) throw new CrsError('the dev CRS needs a data directory (--data-dir) or --crs-path');
  return join(resolve(opts.dataDir), 'crs', 'dev');
}

function readHead(path: string, bytes: number): Uint8Array {
  const buf = new Uint8Array(bytes);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, bytes, 0);
  } finally {
    closeSync(fd);
  }
  return buf;
}

const GENERATOR = (() => {
  const b = new Uint8Array(G1_POINT_BYTES);
  b[31] = 1;
  b[63] = 2;
  return b;
})();
const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export interface CrsStatus {
  mode: CrsMode;
  dir: string;
  present: boolean;
  points: number;
  required: number;
  sufficient: boolean;
  id?: string;
  problem?: string;
}

/** What is on disk, without generating anything. */
export function inspectCrs(opts: Pick<CrsOptions, 'mode' | 'dataDir' | 'crsPath' | 'points'>): CrsStatus {
  const dir = crsDir(opts);
  const required = opts.points ?? REQUIRED_CRS_POINTS;
  const g1 = join(dir, G1_FILE);
  const base = { mode: opts.mode, dir, required };
  if (!existsSync(g1)) return { ...base, present: false, points: 0, sufficient: false, problem: `${g1} does not exist` };
  const size = statSync(g1).size;
  const points = Math.floor(size / G1_POINT_BYTES);
  if (points < 2) return { ...base, present: true, points, sufficient: false, problem: `${g1} holds ${size} bytes, not even 2 points` };
  const head = readHead(g1, 2 * G1_POINT_BYTES);
  if (!equalBytes(head.subarray(0, G1_POINT_BYTES), GENERATOR)) {
    return { ...base, present: true, points, sufficient: false, problem: `${g1} does not start with the BN254 generator (1, 2): not a bb CRS file (64 bytes per point, uncompressed)` };
  }
  const tauG1 = head.subarray(G1_POINT_BYTES);
  const id = createHash('sha256').update(tauG1).digest('hex').slice(0, 16);
  const isDev = equalBytes(tauG1, tauG1Bytes(devTau()));
  if (opts.mode === 'dev' && !isDev) return { ...base, present: true, points, sufficient: false, id, problem: `${g1} is not the dev CRS of seed "${DEV_CRS_SEED}"` };
  if (opts.mode === 'ignition' && isDev) return { ...base, present: true, points, sufficient: false, id, problem: `${g1} is the INSECURE dev CRS, not Ignition` };
  const g2 = join(dir, G2_FILE);
  if (opts.mode === 'dev' && (!existsSync(g2) || statSync(g2).size !== G2_BYTES)) {
    return { ...base, present: true, points, sufficient: false, id, problem: `${g2} is missing or not ${G2_BYTES} bytes` };
  }
  const sufficient = points >= required;
  return {
    ...base,
    present: true,
    points,
    sufficient,
    id,
    problem: sufficient ? undefined : `${g1} holds ${points} points; the circuits need ${required} (${required * G1_POINT_BYTES} bytes)`,
  };
}

let warnedInsecure = false;
function warnInsecure(logger: Logger, dir: string): void {
  if (warnedInsecure) return;
  warnedInsecure = true;
  logger.warn(
    { crs: dir, seed: DEV_CRS_SEED },
    '!!! INSECURE CRS !!! The dev CRS is derived from a PUBLIC seed: anyone can forge proofs that verify against it. ' +
      'Use it for local development and tests only; real networks need --crs ignition --crs-path <Ignition files>.',
  );
}

const inProcess = new Map<string, Promise<Crs>>();

function load(status: CrsStatus): Crs {
  const g2Path = join(status.dir, G2_FILE);
  const g2 = existsSync(g2Path) && statSync(g2Path).size === G2_BYTES ? readHead(g2Path, G2_BYTES) : undefined;
  return { mode: status.mode, dir: status.dir, points: status.points, g2, id: status.id!, insecure: status.mode === 'dev' };
}

/**
 * The CRS ready for bb: checked (and, under dev, generated once and shared through the lock).
 * Throws CrsError naming the file and the fix when it cannot be used.
 */
export function ensureCrs(opts: CrsOptions): Promise<Crs> {
  let dir: string;
  try {
    dir = crsDir(opts);
  } catch (e) {
    return Promise.reject(e);
  }
  const key = `${opts.mode}:${dir}:${opts.points ?? REQUIRED_CRS_POINTS}`;
  let p = inProcess.get(key);
  if (!p) {
    p = ensureCrsUncached(opts, dir);
    inProcess.set(key, p);
    p.catch(() => inProcess.delete(key));
  }
  return p;
}

async function ensureCrsUncached(opts: CrsOptions, dir: string): Promise<Crs> {
  const required = opts.points ?? REQUIRED_CRS_POINTS;
  if (opts.mode === 'ignition') {
    const s = inspectCrs({ ...opts, crsPath: dir });
    if (!s.sufficient) throw new CrsError(`Ignition CRS at ${dir} cannot be used: ${s.problem}. Provision the Ignition bn254_g1.dat with at least ${required} points (${required * G1_POINT_BYTES} bytes) there.`);
    return load(s);
  }
  warnInsecure(opts.logger, dir);
  let s = inspectCrs({ ...opts, crsPath: dir });
  if (s.sufficient) return load(s);
  mkdirSync(dir, { recursive: true });
  const lock = await acquireFileLock(join(dir, '.lock'), {
    signal: opts.signal,
    onWait: (pid) => opts.logger.info({ pid, dir }, 'another process is generating the dev CRS; waiting for it'),
  });
  try {
    s = inspectCrs({ ...opts, crsPath: dir });
    if (s.sufficient) return load(s);
    opts.logger.info({ dir, points: required, reason: s.problem }, 'generating the dev CRS (once per data directory; about 30 s for 2^21 points on 2 cores)');
    await generateDevCrs({ dir, points: required, logger: opts.logger, threads: opts.threads, signal: opts.signal });
  } finally {
    lock.release();
  }
  s = inspectCrs({ ...opts, crsPath: dir });
  if (!s.sufficient) throw new CrsError(`dev CRS at ${dir} unusable right after generation: ${s.problem}`);
  return load(s);
}

/**
 * The CRS's [x]_2 (bb's layout): its bn254_g2.dat, or Ignition's for an Ignition copy without one.
 * Checked against the CRS's own [x]_1 (e([x]_1, [1]_2) = e([1]_1, [x]_2)), so a G2 file from
 * another setup is refused here rather than failing every proof. The pairings run on a worker
 * thread: ~150 ms of CPU that would otherwise stall the starting node.
 */
export async function crsG2(crs: Crs, logger: Logger): Promise<Uint8Array> {
  const g2 = crs.g2 ?? (crs.mode === 'ignition' ? IGNITION_G2 : undefined);
  if (!g2) throw new CrsError(`the ${crs.mode} CRS at ${crs.dir} has no ${G2_FILE}`);
  const head = readHead(join(crs.dir, G1_FILE), 2 * G1_POINT_BYTES);
  const pool = new WorkerPool<CrsWorkerApi>({ module: CRS_WORKER_MODULE, size: 1, name: 'crs-check', logger });
  let matches: boolean;
  try {
    matches = await pool.run((w) => w.pairingCheck(head.subarray(0, G1_POINT_BYTES), head.subarray(G1_POINT_BYTES), g2));
  } finally {
    await pool.close();
  }
  if (!matches) {
    throw new CrsError(`${join(crs.dir, crs.g2 ? G2_FILE : G1_FILE)}: the G2 point does not match the setup of ${G1_FILE} (files from different CRSs?)`);
  }
  return g2;
}
