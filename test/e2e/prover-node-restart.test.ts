// Three processes: the local network with the broker (no agent, no prover node), the prover node
// joining it over JSON-RPC, and the agents in a process of their own (they do all the proving).
// The prover node is killed with SIGKILL in the middle of an epoch and restarted: the epoch is still
// proven before its deadline, and the circuits finished before the kill are re-used, not re-proved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { localNetworkInfo, metric, NETWORK_FLAGS, PROVER_FLAGS, proverNodeClient, waitFor } from './helpers.js';

let network: RunningCli;
let agents: RunningCli;
let prover: RunningCli | undefined;
let env: NodeJS.ProcessEnv;

before(async () => {
  env = isolatedEnv();
  network = await startCli([...NETWORK_FLAGS, '--prover-broker'], env, 90_000);
  agents = await startCli(['--prover-agent', '--proverAgent.proverBrokerUrl', `http://127.0.0.1:${network.port}`, '--prover-agent.count', '2', '--port', '0'], isolatedEnv(), 60_000);
});
after(async () => {
  await prover?.stop();
  await agents?.stop();
  await network?.stop();
});

test('a prover node killed with SIGKILL mid-epoch and restarted proves the epoch in time, re-using finished proofs; remote agents prove everything', async () => {
  const { l1Url, deploymentFile, genesisFile, rollup } = localNetworkInfo(network, env.DATA_DIRECTORY!);
  const url = `http://127.0.0.1:${network.port}`;
  const proverEnv = isolatedEnv();
  const startProver = () =>
    startCli(
      [...PROVER_FLAGS, '--port', '0', '--l1.rpc-urls', l1Url, '--l1.deployment', deploymentFile, '--l1-client.genesis-file', genesisFile,
        '--archiver.url', url, '--prover-node.broker-url', url, '--prover-node.node-url', url],
      proverEnv,
      60_000,
    );
  // kill once a job has circuits proven but is not finished; if the kill raced with the proof
  // landing on L1 (a fast epoch), try again on a later epoch
  let before: Awaited<ReturnType<ReturnType<typeof proverNodeClient>['getJobs']>>[number] | undefined;
  let job;
  for (let attempt = 1; attempt <= 3 && !job; attempt++) {
    prover = await startProver();
    const running = proverNodeClient(prover.port);
    const seen = new Set((await running.getJobs()).map((j) => j.epoch));
    before = await waitFor(
      'a job with finished circuits',
      async () => (await running.getJobs()).find((j) => !seen.has(j.epoch) && (j.state === 'processing' || j.state === 'awaiting-root') && j.jobs.done >= 2),
      150_000,
      () => prover!.logs(),
    );
    await prover.stop('SIGKILL');
    if ((await rollup.getClaim(BigInt(before.epoch)))?.status === 'proven') continue;

    prover = await startProver();
    const restarted = proverNodeClient(prover.port);
    const epoch = before.epoch;
    job = await waitFor(
      `the restarted node's job for epoch ${epoch} to end`,
      async () => (await restarted.getJobs()).find((j) => j.epoch === epoch && !['initialized', 'processing', 'awaiting-root', 'publishing'].includes(j.state)),
      120_000,
      () => prover!.logs(),
    );
    if (job.state === 'stopped' && /proven on L1/.test(job.error ?? '')) job = undefined; // the killed run's proof landed after all
    if (!job) await prover.stop('SIGKILL');
  }
  assert.ok(job && before, 'a kill landed mid-epoch within 3 epochs');
  const doneAtKill = before.jobs.done;
  assert.equal(job.state, 'completed', job.error);
  assert.ok(job.finishedAt! < job.deadline!, 'proven before the deadline');
  assert.equal((await rollup.getClaim(BigInt(before.epoch)))!.status, 'proven');
  assert.ok(job.jobs.reused >= doneAtKill, `the ${doneAtKill} circuits finished before the kill were re-used (re-used: ${job.jobs.reused})`);
  assert.ok((await metric(prover!.port, 'quetzal_prover_node_circuits_reused_total')) >= doneAtKill);

  // all the proving happened in the agents' process
  assert.doesNotMatch(network.logs(), /prover agent started/);
  await agents.stop();
  const stopped = /"proved":(\d+)[^\n]*"msg":"prover agent stopped"/.exec(agents.logs());
  assert.ok(stopped && Number(stopped[1]) > 0, `the remote agents proved the circuits:\n${agents.logs().slice(-2000)}`);
});
