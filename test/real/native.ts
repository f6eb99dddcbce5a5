// Shared set-up of the real-proof suites: one native prover over the dev CRS in the repo's
// .quetzal/ (gitignored), so every suite of a test run, and every later run on the same checkout,
// shares one generated CRS and one VK cache. QUETZAL_TEST_DATA_DIR overrides the directory.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { destination, pino } from 'pino';
import { createNativeProver, type NativeCircuitProver } from '@quetzal/circuit-prover';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEST_DATA_DIR = process.env.QUETZAL_TEST_DATA_DIR ?? join(REPO_ROOT, '.quetzal');

/** Progress and timings on stderr (warn and up unless LOG_LEVEL says otherwise). */
export const testLogger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, destination(2));

export async function devProver(): Promise<NativeCircuitProver> {
  await ensureCircuitsBuilt();
  return createNativeProver({ crs: { mode: 'dev' }, dataDir: TEST_DATA_DIR, logger: testLogger, threads: availableParallelism() });
}
