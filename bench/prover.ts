/**
 * Native prover benchmark: per circuit, witness generation time, prove time and bb's peak RSS on
 * our path (NativeCircuitProver: worker pool -> bb.js native backend -> `bb msgpack run`), against
 * `bb prove` run directly (the same stock binary, the same witness, VK and CRS, the same thread
 * count) in the same run.
 *
 *   node --import tsx bench/prover.ts        (writes bench/results/prover.json, prints a table)
 *   BENCH_CIRCUITS=tx,parity-base,base BENCH_RUNS=3 node --import tsx bench/prover.ts   (a subset; runs per circuit)
 *
 * The circuits are those of a single-block epoch (tx, parity-base, base, parity-root, block-root,
 * root-single), proven in dependency order so each gets real child proofs. Our prove time is the
 * wall time of `prover.prove()` on the main thread minus its witness generation (reported on its
 * own line), so the ratio is the cost of our path around bb's proving; bb's wall time includes
 * reading the circuit, witness and CRS files, which our path does over the socket instead.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { destination, pino } from 'pino';
import { bbChildren, ensureCrs, defaultBbPath, verifierTarget, NativeCircuitProver, WitnessGenerator } from '@quetzal/circuit-prover';
import type { CircuitName } from '@quetzal/protocol/circuit-names';
import type { CircuitProofResult } from '@quetzal/protocol/circuit-prover';
import { circuitArtifactPath } from '@quetzal/protocol/circuits/artifacts';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import { blockConstants, buildBaseInputs, buildBlockRootInputs, buildParityBaseInputs, buildParityRootInputs, buildRootSingleInputs } from '@quetzal/protocol/circuits/block-building';
import { TestWorld, ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import type { CircuitInputs } from '@quetzal/protocol/circuits/structs';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { buildTxCircuitInputs, feePayerOf, Tx } from '@quetzal/protocol/tx';
import { machineDescription, median, report, type BenchResult } from './report.js';


const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const CHAIN: CircuitName[] = ['tx', 'parity-base', 'base', 'parity-root', 'block-root', 'root-single'];
const log = (s: string) => process.stderr.write(`${s}\n`);
const round = (v: number, d = 0) => Math.round(v * 10 ** d) / 10 ** d;

/** `bb prove` on the same witness/VK/CRS under /usr/bin/time: wall ms and max RSS MiB. */
function bbProveDirect(bb: string, args: { circuit: CircuitName; witness: string; vk: string; out: string; crs: string; threads: number }): Promise<{ ms: number; rssMiB: number }> {
  const timeFile = join(args.out, 'time');
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile(
      '/usr/bin/time',
      ['-o', timeFile, '-f', '%M', bb, 'prove', '-b', circuitArtifactPath(args.circuit), '-w', args.witness, '-k', args.vk, '-o', args.out, '-t', verifierTarget(args.circuit), '-c', args.crs],
      { env: { ...process.env, HARDWARE_CONCURRENCY: String(args.threads) }, maxBuffer: 64 << 20 },
      (err, _out, stderr) => {
        const ms = performance.now() - t0;
        if (err) return reject(new Error(`bb prove ${args.circuit} failed: ${err.message}\n${stderr.slice(-2000)}`));
        resolve({ ms, rssMiB: Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024 });
      },
    ),
  );
}

/** One circuit's raw runs, as recorded in the JSON (`runs`). */
export interface CircuitRuns {
  ours: { wallMs: number; witnessMs: number; proveMs: number; bbCallInWorkerMs: number }[];
  bb: { ms: number; rssMiB: number }[];
  oursPeakRssMiB: number;
}

/**
 * The result rows of one circuit. Two views of the overhead: against `bb prove` run directly
 * (two processes measured minutes apart: on a shared machine the load difference between them
 * dominates), and our path around the very bb call it makes (prove() wall time minus witness
 * generation, over the bb call timed inside the worker: same process, same moment).
 */
export function summarize(circuit: CircuitName, r: CircuitRuns): BenchResult['results'] {
  const witnessMs = median(r.ours.map((o) => o.witnessMs));
  const oursProve = median(r.ours.map((o) => o.proveMs));
  const bbMs = median(r.bb.map((d) => d.ms));
  const bbRss = Math.max(...r.bb.map((d) => d.rssMiB));
  const around = median(r.ours.map((o) => o.proveMs / o.bbCallInWorkerMs));
  return [
    { metric: `${circuit}: witness generation`, unit: 'ms', ours: round(witnessMs, 1), baseline: null, baselineName: 'n/a (bb takes a witness)', ratio: null, goal: 'report' },
    { metric: `${circuit}: prove`, unit: 's', ours: round(oursProve / 1000, 2), baseline: round(bbMs / 1000, 2), baselineName: 'bb prove (CLI, same witness/VK/CRS/threads)', ratio: round(oursProve / bbMs, 3), goal: '<= 1.03' },
    {
      metric: `${circuit}: our path around bb's proving call`,
      unit: 's',
      ours: round(oursProve / 1000, 3),
      baseline: round(median(r.ours.map((o) => o.bbCallInWorkerMs)) / 1000, 3),
      baselineName: 'the same bb circuitProve call, timed in the worker',
      ratio: round(around, 4),
      goal: '<= 1.03',
    },
    { metric: `${circuit}: peak RSS of bb`, unit: 'MiB', ours: round(r.oursPeakRssMiB), baseline: round(bbRss), baselineName: 'bb prove (CLI)', ratio: round(r.oursPeakRssMiB / bbRss, 3), goal: 'report' },
  ];
}

export async function run(): Promise<BenchResult> {
  const wanted = new Set((process.env.BENCH_CIRCUITS ?? CHAIN.join(',')).split(',').map((s) => s.trim()) as CircuitName[]);
  for (const c of wanted) if (!CHAIN.includes(c)) throw new Error(`BENCH_CIRCUITS: ${c} is not one of ${CHAIN.join(', ')}`);
  const last = Math.max(...[...wanted].map((c) => CHAIN.indexOf(c)));
  const threads = Number(process.env.BENCH_THREADS ?? availableParallelism());
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  const dataDir = process.env.QUETZAL_TEST_DATA_DIR ?? join(root, '.quetzal');
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, destination(2));
  await ensureCircuitsBuilt();
  const crs = await ensureCrs({ mode: 'dev', dataDir, logger });
  const bbPath = defaultBbPath();
  const newProver = () => new NativeCircuitProver({ crs, vkCacheDir: join(dataDir, 'vks'), logger, threads, bbPath });
  const witnesses = new WitnessGenerator();
  const work = mkdtempSync(join(tmpdir(), 'quetzal-bench-prover-'));

  // the single-block epoch's inputs, built as each child proof arrives
  const chainId = 31337n;
  const secret = 4242n;
  const world = TestWorld.genesis({ chainId, version: 1n, balances: [[feePayerOf(secret), 1_000_000n]] });
  const vkSource = newProver(); // VKs come from the cache; this one never proves
  const vkTree = await vkSource.getVkTree();
  const messages = [101n, 102n, 103n];
  const proofs: Partial<Record<CircuitName, CircuitProofResult>> = {};
  const globals = new GlobalVariables(chainId, 1n, 1n, 3n, 1_700_000_036n, 0x1234n);
  const inputsOf = async (c: CircuitName): Promise<CircuitInputs<CircuitName>> => {
    const p = proofs as Record<string, CircuitProofResult<never>>;
    switch (c) {
      case 'tx':
        return buildTxCircuitInputs({ secret, nonce: 1n, chainId, version: 1n, transactionFee: 500n, noteHashes: [7n, 8n], extraNullifiers: [], l2ToL1Msgs: [{ recipient: 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n, content: 99n }] });
      case 'parity-base':
        return buildParityBaseInputs(messages, vkTree.root)[0]!;
      case 'base':
        return buildBaseInputs(world.fork(), { tx: p.tx!.publicOutputs as never, txProof: childProofOf(p.tx!, vkTree), constants: blockConstants(world.archiveSnapshot(), globals, vkTree.root) });
      case 'parity-root':
        return buildParityRootInputs(p['parity-base']! as never, p['parity-base']! as never, vkTree);
      case 'block-root': {
        const previousHeader = world.lastHeader;
        const tx = p.tx as CircuitProofResult<'tx'>;
        const { witness } = await world.finishBlock({ txEffects: [new Tx(tx.publicOutputs, tx.proof).toEffect()], l1ToL2Messages: messages, globals });
        return buildBlockRootInputs({ txs: p.base! as never, parity: p['parity-root']! as never, previousHeader, witness, vkTree });
      }
      default:
        return buildRootSingleInputs(p['block-root']! as never, 0xabcn, vkTree);
    }
  };

  const results: BenchResult['results'] = [];
  const runs: Record<string, CircuitRuns> = {};
  for (const circuit of CHAIN.slice(0, last + 1)) {
    const inputs = await inputsOf(circuit);
    // a fresh prover per circuit: its bb's peak RSS is this circuit's alone
    const prover = newProver();
    await prover.warmUp();
    if (!wanted.has(circuit)) {
      proofs[circuit] = await prover.prove(circuit, inputs);
      await prover.stop();
      continue;
    }
    const dir = join(work, circuit);
    await mkdir(dir, { recursive: true });
    const w = await witnesses.execute(circuit, inputs);
    writeFileSync(join(dir, 'witness.gz'), w.witness);
    writeFileSync(join(dir, 'vk'), (await vkSource.vkData(circuit)).bytes);
    // Runs alternate ours / bb so that load from other work hits both alike; medians are reported.
    const ours: { wall: number; witnessMs: number; bbCallMs: number }[] = [];
    const direct: { ms: number; rssMiB: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      proofs[circuit] = await prover.prove(circuit, inputs);
      const wall = performance.now() - t0;
      const t = prover.lastTimings.get(circuit)!;
      ours.push({ wall, witnessMs: t.witnessMs, bbCallMs: t.proveMs });
      direct.push(await bbProveDirect(bbPath, { circuit, witness: join(dir, 'witness.gz'), vk: join(dir, 'vk'), out: dir, crs: crs.dir, threads }));
    }
    const oursRss = Math.max(0, ...bbChildren().map((p) => p.peakRssMiB));
    await prover.stop();
    const recorded: CircuitRuns = {
      ours: ours.map((o) => ({ wallMs: round(o.wall), witnessMs: round(o.witnessMs), proveMs: round(o.wall - o.witnessMs), bbCallInWorkerMs: round(o.bbCallMs) })),
      bb: direct.map((d) => ({ ms: round(d.ms), rssMiB: round(d.rssMiB) })),
      oursPeakRssMiB: round(oursRss),
    };
    runs[circuit] = recorded;
    const rows = summarize(circuit, recorded);
    results.push(...rows);
    log(rows.map((r) => `${r.metric} ${r.ours} ${r.unit}${r.baseline === null ? '' : ` vs ${r.baseline}`}`).join('; '));
  }
  await vkSource.stop();
  rmSync(work, { recursive: true, force: true });
  return {
    benchmark: 'prover',
    command: 'node --import tsx bench/prover.ts',
    machine: machineDescription(),
    date: new Date().toISOString(),
    results,
    notes: [
      `stock bb from @aztec/bb.js, dev CRS (2^21 points), ${threads} bb threads on both paths; ${RUNS} runs per circuit alternating ours and bb, medians; one bb per circuit on our path, kept across its runs as an agent keeps it; machine shared with other work (load average 6-13 on 2 cores during the committed run)`,
      'prove (vs bb CLI): ours = prover.prove() wall time on the main thread minus witness generation (worker hop, bb.js msgpack over a Unix socket, bb proving, conversions, public-input cross-check); bb = `bb prove -b circuit.json -w witness.gz -k vk -t <target> -c <crs>` wall time. The two run minutes apart, so the load from other work on this machine shows in the ratio (the CLI alone ranged 54-83 s over three parity-root runs)',
      "our path around bb's proving call: the same prove() time over the circuitProve call timed inside the worker, in the same process at the same moment: what our code adds (worker hop, message passing, proof conversion, checks)",
      'peak RSS: VmHWM of our fresh bb child (one per circuit) vs /usr/bin/time %M of the CLI',
    ],
    runs,
  };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  report(await run());
}
