// `npm run bench -- deno-agent`: the prover agent under Deno against the same agent under Node.
// - Epoch: a broker process (node, in-memory) and ONE agent process of each runtime in turn, with
//   simulated proofs; this process runs the prover node's epoch proving job over a fixture epoch
//   (B blocks x T txs, LMDB world state) against that broker over JSON-RPC. Measured: the job's
//   start to its root proof (the agent's witness generation, broker round trips, tx processing).
// - Startup: spawn of `quetzal start --prover-agent --prover-agent.broker-url URL` to the kernel's
//   "started" log, as `node bin/run.js` and as the README's `npx deno run -A bin/run.js`.
// Runs alternate between the runtimes; medians of RUNS each.
import { fileURLToPath } from 'node:url';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { EpochProvingJob } from '@quetzal/prover-node';
import { isolatedEnv, startCli } from '../test/helpers/cli.js';
import { addBlock, blockProcessor, keys, newChain, PROVER_ID, syncedWorldState } from '../test/prover-node/epoch-fixture.js';
import { machineDescription, median, report, type BenchResult } from './report.js';

type Runtime = 'node' | 'deno';

export async function run(): Promise<BenchResult> {
  const runs = Number(process.env.BENCH_DENO_RUNS ?? 3);
  const [blocks, txs] = (process.env.BENCH_DENO_EPOCH ?? '2x4').split('x').map(Number) as [number, number];
  await ensureCircuitsBuilt();
  const chain = newChain();
  for (let b = 0; b < blocks; b++) await addBlock(chain, txs, 5);
  const ws = await syncedWorldState(chain);

  const measureOnce = async (runtime: Runtime) => {
    // a fresh broker each run: job ids are deterministic and a finished one would be re-used
    const broker = await startCli(['--prover-broker', '--prover-broker.in-memory', '--port', '0'], isolatedEnv());
    const url = `http://127.0.0.1:${broker.port}`;
    const t0 = performance.now();
    const agent = await startCli(['--prover-agent', '--prover-agent.broker-url', url, '--prover-agent.poll-interval-ms', '20', '--port', '0'], isolatedEnv(), 120_000, { runtime });
    const startupMs = performance.now() - t0;
    try {
      let published = 0;
      const job = new EpochProvingJob({
        epochNumber: 1,
        fromBlock: 1,
        toBlock: blocks,
        blocks: blockProcessor({ chain, worldState: ws.sync }),
        producer: new ProvingBrokerClient(url),
        keys,
        proverId: PROVER_ID,
        publisher: { publish: async () => ((published = performance.now()), {}) },
        pollMs: 50,
      });
      const started = performance.now();
      const state = await job.run();
      if (state !== 'completed') throw new Error(`epoch job under a ${runtime} agent ended ${state}: ${job.getStatus().error}`);
      return { startupMs, epochMs: published - started };
    } finally {
      await agent.stop('SIGTERM', { group: runtime === 'deno' });
      await broker.stop();
    }
  };

  const samples: Record<Runtime, { startupMs: number; epochMs: number }[]> = { node: [], deno: [] };
  try {
    for (let i = 0; i < runs; i++) for (const runtime of ['node', 'deno'] as const) samples[runtime].push(await measureOnce(runtime));
  } finally {
    await ws.close();
  }
  const med = (r: Runtime, k: 'startupMs' | 'epochMs') => median(samples[r].map((s) => s[k])) / 1000;
  const row = (metric: string, k: 'startupMs' | 'epochMs', goal: string) => ({
    metric,
    unit: 's',
    ours: round(med('deno', k)),
    baseline: round(med('node', k)),
    baselineName: 'the same under Node',
    ratio: round(med('deno', k) / med('node', k)),
    goal,
  });
  return {
    benchmark: 'deno-agent',
    command: 'npm run bench -- deno-agent',
    machine: machineDescription(),
    date: new Date().toISOString(),
    results: [
      row(`simulated epoch ${blocks} blocks x ${txs} txs, one agent under Deno: job start to root proof`, 'epochMs', '<= 1.1'),
      row('agent startup under Deno (npx deno run -A bin/run.js) to "started"', 'startupMs', '<= 1.5'),
    ],
    notes: [
      'one agent process (count 1, simulated backend: ACVM witness generation in the agent) per runtime, against a node broker process (in-memory); the epoch proving job runs in the bench process',
      `medians of ${runs} runs per runtime, alternating`,
      'startup under Node is `node bin/run.js` (tsx compiles the sources on load); under Deno it includes npx (npm resolving the deno binary)',
    ],
    runs: samples,
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) report(await run());
