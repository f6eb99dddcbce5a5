// The prover node's epoch pipeline on an in-process broker, measured per epoch shape for
// `npm run bench -- epoch`: blocks validated by the node's block processor (as before a bid), then
// the claim and the epoch's proving job, with and without prove-ahead (every block's sub-tree
// proven as speculative work before the claim, leaving the block merges and the root).
//
// Agents replay proofs recorded in one first, unmeasured pass (the simulated prover on worker
// threads), each sleeping its native proving time times a scale, so every header check and parent
// input is real and what is measured is everything but proving: tx processing, job encoding,
// broker queueing and priorities, agent polling, result decoding. The event loop's delay is
// sampled through each measured run (the bench's process is the node's).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { pino } from 'pino';
import { ProvingAgent } from '@quetzal/prover-agent';
import { createProvingBroker } from '@quetzal/prover-broker';
import { proveEncoded } from '@quetzal/protocol/circuits/encoding';
import { DEFAULT_PROVING_SECONDS, makeProvingJobId, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { EmptyParityProofs, EpochProvingJob, ProveAhead } from '@quetzal/prover-node';
import { addBlock, blockProcessor, keys, newChain, PROVER_ID, syncedWorldState } from '../test/prover-node/epoch-fixture.js';

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

/** Event-loop delay through a run, ms. */
export interface Lag {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Run {
  /** Wall seconds from the claim to the root proof. */
  latency: number;
  /** Distinct proofs of the epoch (the empty parity proofs, made before the epoch, not counted). */
  proofs: number;
  lag: Lag;
}

/** The node's pipeline on an in-process broker: validate, optionally prove ahead, then claim. */
async function pipeline(c: Shape, ws: Awaited<ReturnType<typeof syncedWorldState>>, chain: ReturnType<typeof newChain>, prove: Prove, agents: number, ahead: boolean): Promise<Run> {
  const broker = await createProvingBroker({ logger: quiet });
  const pool = Array.from({ length: agents }, () => new ProvingAgent({ consumer: broker, prove, pollIntervalMs: 5, logger: quiet }));
  for (const a of pool) a.start();
  const lifetime = new AbortController();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
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
    const provenBlockRoots = await proveAhead?.claimed(0);
    const job = new EpochProvingJob({
      epochNumber: 0, fromBlock: 1, toBlock: c.blocks, blocks: processor, producer: broker, keys, proverId: PROVER_ID, rootCircuit: 'root-single', emptyParity, provenBlockRoots, pollMs: 100,
      publisher: { publish: async () => ((published = performance.now()), {}) },
    });
    const state = await job.run();
    if (state !== 'completed') throw new Error(`epoch job ended ${state}: ${job.getStatus().error}`);
    delay.disable();
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    return {
      latency: (published - claimed) / 1000,
      proofs: (await broker.stats()).fulfilled - before,
      lag: { p50: ms(delay.percentile(50)), p90: ms(delay.percentile(90)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    };
  } finally {
    delay.disable();
    lifetime.abort();
    await Promise.all(pool.map((a) => a.stop()));
    await broker.stop();
  }
}

export interface ShapeRuns {
  without: Run;
  with: Run;
}

/**
 * One shape's epoch, claimed without and with prove-ahead (`scale`: wall seconds per native
 * second of proving), after one recording pass.
 */
export async function measureShape(c: Shape, scale: number): Promise<ShapeRuns> {
  const chain = newChain();
  for (let b = 0; b < c.blocks; b++) await addBlock(chain, c.txs, MESSAGES, { slot: BigInt(10 + b), timestamp: 1_700_000_000n + BigInt(b) * 36n });
  const ws = await syncedWorldState(chain);
  try {
    const recorded = new Map<string, Uint8Array>();
    // witness generation on both cores: recording is most of the bench's time on large shapes
    const prover = new SimulatedCircuitProver({ workers: 2, logger: pino({ level: 'warn' }) });
    try {
      await pipeline(c, ws, chain, async (type, inputs, signal) => {
        const out = await proveEncoded(prover, type, inputs, signal);
        recorded.set(`${type}:${makeProvingJobId(0, type, inputs)}`, out);
        return out;
      }, 2, false);
    } finally {
      await prover.stop();
    }
    const replay: Prove = async (type, inputs, signal) => {
      const out = recorded.get(`${type}:${makeProvingJobId(0, type, inputs)}`);
      if (!out) throw new Error(`no recorded proof for a ${type} job`);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, T[type] * scale * 1000);
        signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
      });
      return out;
    };
    return { without: await pipeline(c, ws, chain, replay, c.agents, false), with: await pipeline(c, ws, chain, replay, c.agents, true) };
  } finally {
    await ws.close();
  }
}
