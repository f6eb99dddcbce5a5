// Three kinds of processes: the local network with the broker (no agent, no prover node), the
// prover node joining it over JSON-RPC, and agents in processes of their own (they do all the
// proving). The prover node is killed with SIGKILL in the middle of an epoch and restarted: the
// epoch is still proven before its deadline, and the circuits finished before the kill are re-used,
// not re-proved. The first agents only take parity-base jobs, so the epoch cannot finish before the
// kill however fast the machine is; agents for every job type join after the restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { localNetworkInfo, metric, NETWORK_FLAGS, PROVER_FLAGS, proverJoinFlags, proverNodeClient, waitFor } from './helpers.js';

let network: RunningCli;
const agents: RunningCli[] = [];
let prover: RunningCli | undefined;
let env: NodeJS.ProcessEnv;

const startAgents = async (extra: string[]) =>
  agents.push(await startCli(['--prover-agent', '--proverAgent.proverBrokerUrl', `http://127.0.0.1:${network.port}`, '--prover-agent.count', '1', '--port', '0', ...extra], isolatedEnv(), 60_000));

before(async () => {
  env = isolatedEnv();
  network = await startCli([...NETWORK_FLAGS, '--prover-broker'], env, 90_000);
  await startAgents(['--prover-agent.proof-types', 'parity-base']);
});
after(async () => {
  await prover?.stop();
  for (const a of agents) await a.stop();
  await network?.stop();
});

test('a prover node killed with SIGKILL mid-epoch and restarted proves the epoch in time, re-using finished proofs; remote agents prove everything', async () => {
  const { rollup } = localNetworkInfo(network, env.DATA_DIRECTORY!);
  const proverEnv = isolatedEnv();
  const startProver = () =>
    startCli([...PROVER_FLAGS, '--port', '0', ...proverJoinFlags(network, env.DATA_DIRECTORY!), '--prover-node.broker-url', `http://127.0.0.1:${network.port}`], proverEnv, 60_000);

  prover = await startProver();
  const running = proverNodeClient(prover.port);
  const before = await waitFor('a job with finished circuits', async () => (await running.getJobs()).find((j) => j.jobs.done >= 2), 150_000, () => prover!.logs());
  await prover.stop('SIGKILL');
  assert.notEqual((await rollup.getClaim(before.epoch))?.status, 'proven', 'only parity-base jobs can be proven: the epoch is unfinished');

  prover = await startProver();
  await startAgents([]);
  const restarted = proverNodeClient(prover.port);
  const epoch = before.epoch;
  // L1 refuses a proof after the deadline, so a proven claim is an epoch proven in time.
  // on failure (waitFor prints the last 5,000 characters): the log's tail, then the restarted node's
  // lines about this epoch and its errors, which the tail alone (later epochs) would not show
  const epochLines = () => prover!.logs().split('\n').filter((l) => l.includes(`"epoch":${epoch},`) || /"level":[56]0/.test(l)).join('\n').slice(-3000);
  await waitFor(`epoch ${epoch} proven on L1`, async () => (await rollup.getClaim(epoch))?.status === 'proven', 120_000, () => `${prover!.logs().slice(-1900)}\n--- epoch ${epoch} and errors ---\n${epochLines()}`);
  const doneAtKill = before.jobs.done;
  const reused = await metric(prover.port, 'quetzal_prover_node_circuits_reused_total');
  assert.ok(reused >= doneAtKill, `the ${doneAtKill} circuits finished before the kill were re-used (re-used: ${reused})`);
  const jobs = (await restarted.getJobs()).filter((j) => j.epoch === epoch);
  assert.ok(jobs.every((j) => j.state !== 'failed' && j.state !== 'timed-out'), JSON.stringify(jobs));

  // all the proving happened in the agents' processes
  assert.doesNotMatch(network.logs(), /prover agent started/);
  let proved = 0;
  for (const a of agents) {
    await a.stop();
    const stopped = /"proved":(\d+)[^\n]*"msg":"prover agent stopped"/.exec(a.logs());
    proved += Number(stopped?.[1] ?? 0);
  }
  assert.ok(proved > doneAtKill, `the remote agents proved the circuits (${proved} proved)`);
});
