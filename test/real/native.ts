// Shared set-up of the real-proof suites: one native prover over the dev CRS in the repo's
// .quetzal/ (gitignored), so every suite of a test run, and every later run on the same checkout,
// shares one generated CRS and one VK cache. QUETZAL_TEST_DATA_DIR overrides the directory.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { destination, pino } from 'pino';
import { createNativeProver, defaultBbPath, verifierTarget, type NativeCircuitProver } from '@quetzal/circuit-prover';
import type { CircuitName } from '@quetzal/protocol/circuit-names';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEST_DATA_DIR = process.env.QUETZAL_TEST_DATA_DIR ?? join(REPO_ROOT, '.quetzal');

/** Progress and timings on stderr (warn and up unless LOG_LEVEL says otherwise). */
export const testLogger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, destination(2));

export async function devProver(): Promise<NativeCircuitProver> {
  await ensureCircuitsBuilt();
  return createNativeProver({ crs: { mode: 'dev' }, dataDir: TEST_DATA_DIR, logger: testLogger, threads: availableParallelism() });
}

/** `bb verify` (the stock CLI, bb's own verifier) on a proof of `circuit`: true when bb accepts it. */
export async function bbVerify(prover: NativeCircuitProver, circuit: CircuitName, proof: readonly bigint[], publicInputs: readonly bigint[]): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'qz-bb-verify-'));
  try {
    const fieldsFile = (xs: readonly bigint[]) => Buffer.concat(xs.map((x) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex')));
    writeFileSync(join(dir, 'vk'), (await prover.vkData(circuit)).bytes);
    writeFileSync(join(dir, 'proof'), fieldsFile(proof));
    writeFileSync(join(dir, 'public_inputs'), fieldsFile(publicInputs));
    const args = ['verify', '-p', join(dir, 'proof'), '-k', join(dir, 'vk'), '-i', join(dir, 'public_inputs'), '-t', verifierTarget(circuit), '-c', prover.crs.dir];
    return await new Promise<boolean>((resolve, reject) => {
      execFile(defaultBbPath(), args, (err, _stdout, stderr) => {
        if (!err) resolve(true);
        else if (err.code === 1) resolve(false);
        else reject(new Error(`bb verify failed to run: ${err.message}\n${stderr}`));
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
