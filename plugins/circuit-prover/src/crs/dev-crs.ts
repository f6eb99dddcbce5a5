// The dev CRS: an INSECURE BN254 setup whose tau is derived from a published string, so every
// process (and every machine) generates the same points and anyone can forge proofs with it.
// Written in bb's layout: bn254_g1.dat (64 B per point) and bn254_g2.dat ([tau]G2, 128 B).
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { bn254 } from '@noble/curves/bn254.js';
import type { Logger } from '@quetzal/kernel/logging';
import { WorkerPool } from '@quetzal/kernel/worker-pool';
import type { CrsWorkerApi } from './crs-worker.js';
import { BN254_R, G1_POINT_BYTES } from './g1-powers.js';
import { createProgress } from '@quetzal/kernel/progress';
import { g2Point } from './g2.js';

/** The published seed: tau = sha256(seed) mod r. Changing it changes every VK and the VK tree root. */
export const DEV_CRS_SEED = 'quetzal dev crs v1';
export const G1_FILE = 'bn254_g1.dat';
export const G2_FILE = 'bn254_g2.dat';
/** Points per worker call: small enough for a smooth progress bar, large enough to amortise the call. */
const CHUNK_POINTS = 1 << 15;

export function devTau(seed = DEV_CRS_SEED): bigint {
  return BigInt(`0x${createHash('sha256').update(seed).digest('hex')}`) % BN254_R;
}

const hex32 = (v: bigint) => v.toString(16).padStart(64, '0');

/** [tau]G2 in bb's layout: x.c0 || x.c1 || y.c0 || y.c1, each 32-byte big-endian. */
export function g2Bytes(tau: bigint): Uint8Array {
  const p = bn254.G2.Point.BASE.multiply(tau).toAffine();
  return Buffer.from(hex32(p.x.c0) + hex32(p.x.c1) + hex32(p.y.c0) + hex32(p.y.c1), 'hex');
}

/** [tau]G1 as bb's 64 bytes (x || y): the point that identifies a setup. */
export function tauG1Bytes(tau: bigint): Uint8Array {
  const p = bn254.G1.Point.BASE.multiply(tau).toAffine();
  return Buffer.from(hex32(p.x) + hex32(p.y), 'hex');
}

function g1At(buf: Uint8Array, i: number) {
  const h = Buffer.from(buf.subarray(i * G1_POINT_BYTES, (i + 1) * G1_POINT_BYTES)).toString('hex');
  return bn254.G1.Point.fromAffine({ x: BigInt(`0x${h.slice(0, 64)}`), y: BigInt(`0x${h.slice(64)}`) });
}

/** e(P[i+1], G2) == e(P[i], [tau]G2): consecutive points are powers of the same tau as the G2 point. */
export function pairingCheck(p: Uint8Array, q: Uint8Array, g2: Uint8Array): boolean {
  const a = g1At(p, 0);
  const b = g1At(q, 0);
  a.assertValidity();
  b.assertValidity();
  return bn254.fields.Fp12.eql(bn254.pairing(b, bn254.G2.Point.BASE), bn254.pairing(a, g2Point(g2)));
}

/** The pool worker of CRS work: G1 powers and pairings (each pairing is ~150 ms of CPU). */
export const CRS_WORKER_MODULE = new URL('./crs-worker.ts', import.meta.url);

export interface GenerateDevCrsOptions {
  dir: string;
  points: number;
  logger: Logger;
  threads?: number;
  signal?: AbortSignal;
  seed?: string;
}

/**
 * Generates the dev CRS into `dir` (the caller holds the directory's lock). Each file is written
 * under a temporary name and renamed into place, G1 before G2, so a reader that finds both files
 * finds them whole.
 */
export async function generateDevCrs(opts: GenerateDevCrsOptions): Promise<void> {
  const tau = devTau(opts.seed);
  const tauHex = tau.toString(16);
  const threads = opts.threads ?? availableParallelism();
  const pool = new WorkerPool<CrsWorkerApi>({ module: CRS_WORKER_MODULE, size: threads, name: 'dev-crs', logger: opts.logger });
  const progress = createProgress({ label: `generating the dev CRS (${opts.points} points)`, total: opts.points, logger: opts.logger });
  const g1Tmp = join(opts.dir, `${G1_FILE}.tmp-${process.pid}`);
  const fd = openSync(g1Tmp, 'w');
  const samples: Uint8Array[] = [];
  let checked: { g2: Uint8Array; ok: boolean };
  try {
    const chunks = Array.from({ length: Math.ceil(opts.points / CHUNK_POINTS) }, (_, k) => k * CHUNK_POINTS);
    await Promise.all(
      chunks.map((start) =>
        pool.run(
          async (w) => {
            const count = Math.min(CHUNK_POINTS, opts.points - start);
            const bytes = await w.g1Powers(tauHex, start, count);
            writeSync(fd, bytes, 0, bytes.length, start * G1_POINT_BYTES);
            if (start === 0 || start + count === opts.points) samples.push(bytes.slice(0, 2 * G1_POINT_BYTES));
            progress.add(count);
          },
          { signal: opts.signal },
        ),
      ),
    );
    fsyncSync(fd);
    // Spot checks before the files go live: the first pair and a pair from the last chunk.
    checked = await pool.run((w) => w.g2AndChecks(tauHex, samples, G1_POINT_BYTES));
  } catch (e) {
    closeSync(fd);
    rmSync(g1Tmp, { force: true });
    throw e;
  } finally {
    await pool.close();
  }
  closeSync(fd);
  progress.done();
  if (!checked.ok) {
    rmSync(g1Tmp, { force: true });
    throw new Error('dev CRS pairing spot check failed (generator bug): nothing was written');
  }
  const { g2 } = checked;
  renameSync(g1Tmp, join(opts.dir, G1_FILE));
  const g2Tmp = join(opts.dir, `${G2_FILE}.tmp-${process.pid}`);
  writeFileSync(g2Tmp, g2);
  renameSync(g2Tmp, join(opts.dir, G2_FILE));
}
