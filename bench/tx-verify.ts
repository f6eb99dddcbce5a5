/**
 * `npm run bench -- tx-verify`: client (tx) proof verification as a native-proof sequencer runs it
 * on every node_sendTx: the TypeScript ZK UltraHonk verifier (plugins/circuit-prover/src/honk) on
 * the TxProofVerifier's worker pool, under the dev CRS.
 *
 * Baseline, measured in the same run: bb's own verifier cannot be it under the dev CRS (it pins
 * Ignition's [x]_2 and refuses every dev-CRS proof), so the baseline is the time to prove one tx
 * (what a sender spends per tx: checking must cost a small fraction of it). `bb verify` on the same
 * proof is still timed for scale: it runs every check up to the pairing, which fails.
 * Under Ignition, test/real/ignition.real.test.ts checks our verdicts against `bb verify`'s.
 *
 *   BENCH_PROOFS=24 BENCH_RUNS=3 BENCH_WORKERS=2 npm run bench -- tx-verify
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { destination, pino } from 'pino';
import { NativeTxProofVerifier, crsG2, ensureCrs, g2Point, NativeCircuitProver, prepareVk, verifyZkProof } from '@quetzal/circuit-prover';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { buildTxCircuitInputs, Tx } from '@quetzal/protocol/tx';
import { bbVerify } from '../test/real/native.js';
import { machineDescription, median, report, type BenchResult } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const log = (s: string) => process.stderr.write(`${s}\n`);

/** p99 event-loop delay (ms) while `work` runs. */
async function loopDelayDuring(work: () => Promise<unknown>): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await work();
  h.disable();
  return h.percentile(99) / 1e6;
}

export async function run(): Promise<BenchResult> {
  const FLOOD = Number(process.env.BENCH_PROOFS ?? 24);
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  const workers = Number(process.env.BENCH_WORKERS ?? availableParallelism());
  const dataDir = process.env.QUETZAL_TEST_DATA_DIR ?? join(root, '.quetzal');
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, destination(2));
  await ensureCircuitsBuilt();
  const crs = await ensureCrs({ mode: 'dev', dataDir, logger });
  const prover = new NativeCircuitProver({ crs, vkCacheDir: join(dataDir, 'vks'), logger, threads: availableParallelism() });
  const vk = await prover.getVerificationKey('tx');
  const g2 = await crsG2(crs, logger);

  // Distinct txs; their proving times are the baseline
  const txs: Tx[] = [];
  const proveMs: number[] = [];
  await prover.warmUp();
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await prover.proveTx(buildTxCircuitInputs({ secret: 4242n, nonce: BigInt(i + 1), chainId: 31337n, version: 1n, transactionFee: 500n, noteHashes: [7n, 8n], l2ToL1Msgs: [{ recipient: 1n, content: 99n }] }));
    proveMs.push(performance.now() - t0);
    txs.push(new Tx(r.publicOutputs, r.proof));
  }
  const proveOne = median(proveMs);
  log(`tx prove: ${round(proveOne)} ms`);

  const bbMs: number[] = [];
  for (const tx of txs) {
    const t0 = performance.now();
    const ok = await bbVerify(prover, 'tx', tx.proof, tx.publicInputs());
    bbMs.push(performance.now() - t0);
    if (ok) throw new Error('bb verify accepted a dev-CRS proof: the premise of this baseline (bb pins Ignition) no longer holds');
  }
  await prover.stop();

  // One worker, one proof at a time: the latency of one admission
  const single = new NativeTxProofVerifier({ vk: async () => vk.fields, g2, workers: 1, logger });
  const latencies: number[] = [];
  for (let i = 0; i < 4 + 4 * RUNS; i++) {
    const t0 = performance.now();
    const v = await single.verifyTxProof(txs[i % txs.length]!);
    if (i >= 4) latencies.push(performance.now() - t0); // the first calls warm the worker (module load, VK tables)
    if (!v.valid) throw new Error(`a valid proof failed: ${v.reason}`);
  }
  await single.stop();
  const perProof = median(latencies);
  log(`verify (1 worker): ${round(perProof)} ms per proof`);

  // A flood on the pool: throughput, and how much the caller's event loop stalls
  const pool = new NativeTxProofVerifier({ vk: async () => vk.fields, g2, workers, logger });
  await Promise.all(Array.from({ length: workers * 2 }, (_, i) => pool.verifyTxProof(txs[i % txs.length]!)));
  const rates: number[] = [];
  const poolLag: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let elapsed = 0;
    poolLag.push(
      await loopDelayDuring(async () => {
        const t0 = performance.now();
        await Promise.all(Array.from({ length: FLOOD }, (_, i) => pool.verifyTxProof(txs[i % txs.length]!)));
        elapsed = performance.now() - t0;
      }),
    );
    rates.push(FLOOD / (elapsed / 1000));
  }
  await pool.stop();
  const rate = median(rates);
  log(`flood of ${FLOOD} on ${workers} workers: ${round(rate)} proofs/s, p99 loop delay ${round(median(poolLag))} ms`);

  // The same flood verified on the calling thread, as a sequencer without the pool would
  const key = prepareVk(vk.fields);
  const point = g2Point(g2);
  const inThreadLag: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    inThreadLag.push(
      await loopDelayDuring(async () => {
        for (let i = 0; i < Math.min(FLOOD, 8); i++) {
          await new Promise((res) => setImmediate(res));
          const tx = txs[i % txs.length]!;
          verifyZkProof(key, tx.proof, tx.publicInputs(), point);
        }
      }),
    );
  }

  return {
    benchmark: 'tx-verify',
    command: 'npm run bench -- tx-verify',
    machine: machineDescription(),
    date: new Date().toISOString(),
    results: [
      { metric: 'tx proof verification, one worker', unit: 'ms/proof', ours: round(perProof), baseline: round(proveOne), baselineName: 'proving one tx (bb, same CRS): bb verify refuses dev-CRS proofs', ratio: round(perProof / proveOne, 3), goal: '<= 0.25' },
      { metric: `tx proof verifications, flood of ${FLOOD} on ${workers} workers`, unit: 'proofs/s', ours: round(rate), baseline: round(1000 / proveOne, 2), baselineName: 'txs proven per second (bb, same CRS)', ratio: round(rate / (1000 / proveOne), 2), goal: '>= 4' },
      { metric: "caller's event-loop delay (p99) during the flood", unit: 'ms', ours: round(median(poolLag)), baseline: round(median(inThreadLag)), baselineName: 'the same proofs verified on the calling thread', ratio: round(median(poolLag) / median(inThreadLag), 3), goal: '<= 0.2' },
      { metric: 'bb verify (CLI) on the same proofs, for scale', unit: 'ms/proof', ours: round(perProof), baseline: round(median(bbMs)), baselineName: "bb verify wall time (process start included; it fails at the pairing: Ignition's [x]_2)", ratio: round(perProof / median(bbMs), 3), goal: 'report' },
    ],
    notes: [
      `dev CRS (2^21 points); ${RUNS} distinct tx proofs; medians of ${RUNS} runs; one verification worker for the latency row, ${workers} for the flood`,
      'ours = NativeTxProofVerifier.verifyTxProof wall time on the calling thread (worker hop included), the path node_sendTx takes',
    ],
    runs: { proveMs: proveMs.map((v) => round(v)), bbVerifyMs: bbMs.map((v) => round(v)), latenciesMs: latencies.map((v) => round(v)), floodRates: rates.map((v) => round(v)), poolLagMs: poolLag.map((v) => round(v)), inThreadLagMs: inThreadLag.map((v) => round(v)) },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) report(await run());
