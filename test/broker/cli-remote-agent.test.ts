import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedEnv, startCli, runCli } from '../helpers/cli.js';
import { makeProvingJob, proveWith } from '@quetzal/protocol/proving-jobs';
import { buildParityBaseInputs } from '@quetzal/protocol/circuits/block-building';
import { decodeProofResult, encodeCircuitInputs } from '@quetzal/protocol/circuits/encoding';
import { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';

test('`quetzal start --prover-broker` and a remote `--prover-agent` process complete jobs', async () => {
  const token = 'cluster-token-0123456789';
  const broker = await startCli(['--prover-broker', '--prover-broker.auth-token', token, '--port', '0'], isolatedEnv());
  const agent = await startCli(
    ['--prover-agent', '--proverAgent.proverBrokerUrl', `http://127.0.0.1:${broker.port}`, '--prover-agent.auth-token', token, '--prover-agent.poll-interval-ms', '20', '--port', '0'],
    isolatedEnv(),
  );
  try {
    const client = new ProvingBrokerClient(`http://127.0.0.1:${broker.port}`, { authToken: token });
    const vkTree = VkTree.simulated();
    const inputs = buildParityBaseInputs([11n, 22n, 33n], vkTree.root);
    const jobs = inputs.map((i) => makeProvingJob(7, 'parity-base', encodeCircuitInputs('parity-base', i)));
    const results = await Promise.all(jobs.map((job) => proveWith(client, job, { pollMs: 1000 })));

    // the remote agent's answers equal a direct proof of the same inputs
    const direct = new SimulatedCircuitProver();
    for (const [i, bytes] of results.entries()) {
      const remote = decodeProofResult(bytes, 'parity-base');
      const local = await direct.prove('parity-base', inputs[i]!);
      assert.deepEqual(remote.publicInputs, local.publicInputs);
    }
    assert.match(agent.logs(), /proving agent pulling jobs/);

    // without the token the broker refuses
    const stranger = new ProvingBrokerClient(`http://127.0.0.1:${broker.port}`);
    await assert.rejects(stranger.getProvingJobStatus(jobs[0]!.id), /bearer token/);
  } finally {
    assert.equal((await agent.stop()).code, 0);
    assert.equal((await broker.stop()).code, 0);
  }
});

test('an agent with neither a broker in-process nor --prover-agent.broker-url is refused with the fix', async () => {
  const { code, stderr } = await runCli(['start', '--prover-agent', '--port', '0']);
  assert.notEqual(code, 0);
  assert.match(stderr, /--prover-agent requires ProvingJobConsumer, which nothing running provides: run --prover-broker in this process, or point at a remote broker with --prover-agent\.broker-url/);
});
