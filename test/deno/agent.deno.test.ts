// The prover agent under Deno: a simulated local network runs under Node with the prover node and
// the broker and no agent; an agent started with the README's command,
// `npx deno run -A bin/run.js start --prover-agent --prover-agent.broker-url URL`, does all the
// proving. Epochs are proven on L1, and the agent serves its metrics and stops cleanly on Ctrl-C.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { localNetworkInfo, metric, NETWORK_FLAGS, PROVER_FLAGS, proverNodeClient, waitFor } from '../e2e/helpers.js';

let network: RunningCli;
let agent: RunningCli | undefined;
let env: NodeJS.ProcessEnv;

before(async () => {
  env = isolatedEnv();
  network = await startCli([...NETWORK_FLAGS, ...PROVER_FLAGS, '--prover-broker'], env, 90_000);
});
after(async () => {
  if (agent && agent.child.exitCode === null && agent.child.signalCode === null) await agent.stop('SIGKILL', { group: true });
  await network?.stop();
});

test('an agent under Deno proves the epochs of a prover node and broker running under Node', { timeout: 240_000 }, async () => {
  const url = `http://127.0.0.1:${network.port}`;
  agent = await startCli(['--prover-agent', '--prover-agent.broker-url', url, '--circuit-prover.backend', 'simulated', '--port', '0'], isolatedEnv(), 60_000, { runtime: 'deno' });
  assert.match(agent.logs(), /"module":"kernel".*"runtime":"deno 2\.[0-9.]+".*"msg":"started"/);

  const node = proverNodeClient(network.port);
  const { rollup } = localNetworkInfo(network, env.DATA_DIRECTORY!);
  const proven = await waitFor(
    'an epoch proven on L1',
    async () => {
      for (const job of await node.getJobs()) if (job.state === 'completed' && (await rollup.getClaim(job.epoch))?.status === 'proven') return job;
      return undefined;
    },
    150_000,
    () => `${network.logs().slice(-3000)}\n--- agent ---\n${agent!.logs()}`,
  );
  const last = (await rollup.getEpochBlocks(proven.epoch))!.last;
  assert.ok((await rollup.getTips()).proven >= last, 'the proven tip passed the epoch');
  assert.ok(proven.jobs.done > 0, 'the epoch had circuits, all proved by the Deno agent (the only agent)');

  // the agent's own HTTP server: metrics (labelled with its runtime) and health
  const text = await (await fetch(`http://127.0.0.1:${agent.port}/metrics`)).text();
  assert.match(text, /^quetzal_runtime_info\{runtime="deno",version="2\.[0-9.]+"\} 1$/m);
  assert.ok((await metric(agent.port, 'quetzal_process_resident_memory_bytes')) > 0, 'process metrics are collected under Deno');
  assert.equal((await fetch(`http://127.0.0.1:${agent.port}/ready`)).status, 200);

  // a clean stop on SIGINT (Ctrl-C) or SIGTERM: every plugin stopped, exit code 0 (npx passes deno's on)
  const { code, ms } = await agent.stop('SIGINT');
  assert.match(agent.logs(), /"signal":"SIGINT","msg":"stopping"/);
  assert.match(agent.logs(), /"module":"prover-agent".*"proved":[1-9].*"msg":"prover agent stopped"/);
  assert.match(agent.logs(), /"module":"circuit-prover","msg":"stopped"/);
  assert.equal(code, 0, agent.logs().slice(-2000));
  assert.ok(ms < 10_000, `stopped in ${ms} ms`);
});
