// `npm run bench -- epoch-latency` (its rows are also part of `npm run bench -- epoch`): the
// epoch's latency from the claim to the root proof, with and without prove-ahead, and the proofs
// an epoch costs once message-free parity is proven once per VK tree.
//
// Each shape's blocks are validated by the prover node's block processor first (as before a bid).
// Without prove-ahead the claim starts the whole proof tree; with it, every block's sub-tree
// (parity, bases, merges, block-root) is proven as speculative work before the claim, and the
// claim's job finds those proofs at the broker, leaving the block merges and the root. Agents
// replay proofs recorded in a first, unmeasured pass with native per-circuit times scaled (as in
// bench/epoch.ts), so every header check and parent input is real. Goal: with prove-ahead, at most
// 1.3 x the critical path of what is left at the claim.
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { ProvingAgent } from '@quetzal/prover-agent';
import { createProvingBroker } from '@quetzal/prover-broker';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { proveEncoded } from '@quetzal/protocol/circuits/encoding';
import { epochProofTree, proofTreeSeconds, type BlockShape } from '@quetzal/protocol/proof-tree';
import { DEFAULT_PROVING_SECONDS, makeProvingJobId, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { EmptyParityProofs, EpochProvingJob, ProveAhead } from '@quetzal/prover-node';
import { fileURLToPath } from 'node:url';
import { addBlock, blockProcessor, keys, newChain, PROVER_ID, syncedWorldState } from '../test/prover-node/epoch-fixture.js';
import { machineDescription, report, type BenchMetric, type BenchResult } from './report.js';

const T = DEFAULT_PROVING_SECONDS;
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };
/** L1->L2 messages per block of every bench epoch. */
export const MESSAGES = 5;

export interface Shape {
  blocks: number;
  txs: number;
  agents: number;
}

type Prove = (type: ProvingJobType, inputs: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>;

interface Run {
  /** Wall seconds from the claim to the root proof. */
  latency: number;
  /** Distinct proofs of the epoch (the empty parity proofs, made before the epoch, not counted). */
  proofs: number;
}

/** The node's pipeline on an in-process broker: validate, optionally prove ahead, then claim. */
async function pipeline(c: Shape, ws: Awaited<ReturnType<typeof syncedWorldState>>, chain: ReturnType<typeof newChain>, prove: Prove, agents: number, ahead: boolean): Promise<Run> {
  const broker = await createProvingBroker({ logger: quiet });
  const pool = Array.from({ length: agents }, () => new ProvingAgent({ consumer: broker, prove, pollIntervalMs: 5, logger: quiet }));
  for (const a of pool) a.start();
  const lifetime = new AbortController();
  try {
    // a running node has its empty parity proofs from earlier epochs
    const emptyParity = new EmptyParityProofs({ vkTree: keys.vkTree, producer: broker, signal: lifetime.signal });
    await emptyParity.root();
    const before = (await broker.stats()).fulfilled;
    const proveAhead = ahead ? new ProveAhead({ producer: broker, vkTree: keys.vkTree, emptyParity, rootCircuit: 'root-single', pollMs: 100 }) : undefined;
    const processor = blockProcessor({ chain, worldState: ws.sync, epochDuration: 1_000_000, ...(proveAhead && { onValidated: (x) => proveAhead.blockValidated(x) }) });
    await processor.sync();
    await Promise.all((await processor.executions(1, c.blocks)).map((x) => x.witness));
    if (proveAhead) {
      while (![...Array(c.blocks).keys()].every((i) => proveAhead.isProven(0, i + 1))) await new Promise((r) => setTimeout(r, 20));
    }
    let published = 0;
    const claimed = performance.now();
    await proveAhead?.claimed(0);
    const job = new EpochProvingJob({
      epochNumber: 0, fromBlock: 1, toBlock: c.blocks, blocks: processor, producer: broker, keys, proverId: PROVER_ID, rootCircuit: 'root-single', emptyParity, pollMs: 100,
      publisher: { publish: async () => ((published = performance.now()), {}) },
    });
    const state = await job.run();
    if (state !== 'completed') throw new Error(`epoch job ended ${state}: ${job.getStatus().error}`);
    return { latency: (published - claimed) / 1000, proofs: (await broker.stats()).fulfilled - before };
  } finally {
    lifetime.abort();
    await Promise.all(pool.map((a) => a.stop()));
    await broker.stop();
  }
}

export interface Latency {
  without: Run;
  with: Run;
  /** Native seconds: critical path of the block merges and the root (what prove-ahead leaves at the claim). */
  leftCriticalPath: number;
  /** Native seconds: critical path of the whole tree. */
  criticalPath: number;
  /** Proofs the tree costs with every parity proven fresh (message-free slices included). */
  proofsWithoutKeptParity: number;
}

/** Measures one shape (`scale`: wall seconds per native second). */
export async function measureLatency(c: Shape, scale: number): Promise<Latency> {
  const chain = newChain();
  for (let b = 0; b < c.blocks; b++) await addBlock(chain, c.txs, MESSAGES, { slot: BigInt(10 + b), timestamp: 1_700_000_000n + BigInt(b) * 36n });
  const ws = await syncedWorldState(chain);
  try {
    const recorded = new Map<string, Uint8Array>();
    const prover = new SimulatedCircuitProver();
    await pipeline(c, ws, chain, async (type, inputs, signal) => {
      const out = await proveEncoded(prover, type, inputs, signal);
      recorded.set(`${type}:${makeProvingJobId(0, type, inputs)}`, out);
      return out;
    }, 2, false);
    await prover.stop();
    const replay: Prove = async (type, inputs, signal) => {
      const out = recorded.get(`${type}:${makeProvingJobId(0, type, inputs)}`);
      if (!out) throw new Error(`no recorded proof for a ${type} job`);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, T[type] * scale * 1000);
        signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
      });
      return out;
    };
    const without = await pipeline(c, ws, chain, replay, c.agents, false);
    const ahead = await pipeline(c, ws, chain, replay, c.agents, true);
    const blocks: BlockShape[] = Array.from({ length: c.blocks }, () => ({ txs: c.txs, messages: MESSAGES }));
    const tree = epochProofTree(blocks, { rootSingle: true });
    // every block's message-free second slice would be a parity-base of its own (one id per epoch)
    const proofsWithoutKeptParity = tree.length + 1;
    return {
      without,
      with: ahead,
      leftCriticalPath: proofTreeSeconds(epochProofTree(blocks, { rootSingle: true, proven: () => true }), T).criticalPath,
      criticalPath: proofTreeSeconds(tree, T).criticalPath,
      proofsWithoutKeptParity,
    };
  } finally {
    await ws.close();
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** The latency and proof-count rows of one shape. */
export function latencyMetrics(name: string, l: Latency, scale: number): BenchMetric[] {
  const left = l.leftCriticalPath * scale;
  return [
    {
      metric: `${name}: claim to root proof with prove-ahead vs the critical path left at the claim (block merges, root)`,
      unit: 's',
      ours: round(l.with.latency),
      baseline: round(left),
      baselineName: `critical path of the block merges and root-single, ${round(l.leftCriticalPath)} native s`,
      ratio: round(l.with.latency / left),
      goal: '<= 1.3',
    },
    {
      metric: `${name}: claim to root proof without prove-ahead`,
      unit: 's',
      ours: round(l.without.latency),
      baseline: round(l.with.latency),
      baselineName: 'with prove-ahead',
      ratio: round(l.without.latency / l.with.latency),
      goal: '-',
    },
    {
      metric: `${name}: proofs per epoch, message-free parity proven once per VK tree`,
      unit: 'proofs',
      ours: l.without.proofs,
      baseline: l.proofsWithoutKeptParity,
      baselineName: 'each epoch proving its own message-free parity-base',
      ratio: round(l.without.proofs / l.proofsWithoutKeptParity),
      goal: '< 1',
    },
  ];
}

export const LATENCY_SHAPES = '1x1x1,4x8x4,2x4x16,16x16x8,16x64x32';

/** Wall seconds per native second that play the shape's whole tree in about `target` seconds on its agents. */
export function latencyScale(c: Shape, target: number): number {
  const { criticalPath, work } = proofTreeSeconds(epochProofTree(Array.from({ length: c.blocks }, () => ({ txs: c.txs, messages: MESSAGES })), { rootSingle: true }), T);
  return target / Math.max(criticalPath, work / c.agents);
}

export async function run(): Promise<BenchResult> {
  const target = Number(process.env.BENCH_EPOCH_TARGET_SECONDS ?? 20);
  await ensureCircuitsBuilt();
  const results: BenchMetric[] = [];
  const runs = [];
  for (const s of (process.env.BENCH_EPOCH_CONFIGS ?? LATENCY_SHAPES).split(',')) {
    const [blocks, txs, agents] = s.split('x').map(Number);
    if (!blocks || txs === undefined || !agents) throw new Error(`BENCH_EPOCH_CONFIGS: "${s}" is not BLOCKSxTXSxAGENTS`);
    const c = { blocks, txs, agents };
    const scale = latencyScale(c, target);
    const l = await measureLatency(c, scale);
    runs.push({ ...c, scale, ...l });
    results.push(...latencyMetrics(`epoch ${blocks} x ${txs}, ${agents} agents`, l, scale));
  }
  return {
    benchmark: 'epoch-latency',
    command: 'npm run bench -- epoch-latency',
    machine: machineDescription(),
    date: new Date().toISOString(),
    results,
    notes: [
      `simulated proofs replayed with native per-circuit times scaled so that each shape's whole tree takes about ${target} s: ${JSON.stringify(T)} native s`,
      `${MESSAGES} L1->L2 messages per block; in-process broker (memory) and agents; LMDB world state; root-single on top; blocks validated before the claim (as before a bid)`,
      'with prove-ahead the claim comes once every block-root is proven ahead (the agents kept up with the blocks)',
    ],
    runs,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) report(await run());
