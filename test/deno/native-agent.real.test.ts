// Native proving under Deno: an agent started with `npx deno run -A bin/run.js start --prover-agent
// --circuit-prover.backend native` (two proofs at once: two web Workers, each with its own bb) takes
// jobs from a broker running under Node. Its two parity-base proofs are real (VKs equal the Node
// prover's; a parity-root proof over them, made by the same agent, verifies both in-circuit); every
// bb reads the CRS through CRS_PATH; SIGTERM stops the agent with code 0 and ends its bb processes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bbChildren, SimulatedCircuitProver, type NativeCircuitProver } from '@quetzal/circuit-prover';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { buildParityBaseInputs, buildParityRootInputs } from '@quetzal/protocol/circuits/block-building';
import { decodeProofResult, encodeCircuitInputs } from '@quetzal/protocol/circuits/encoding';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { makeProvingJob, proveWith } from '@quetzal/protocol/proving-jobs';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { waitFor } from '../e2e/helpers.js';
import { devProver, TEST_DATA_DIR } from '../real/native.js';

const MIN = 60_000;
let node: NativeCircuitProver;
let broker: RunningCli;
let agent: RunningCli | undefined;

before(async () => {
  // the dev CRS and the VKs, generated once in the shared test data directory (the agent reads both there)
  node = await devProver();
  await node.getVkTree();
  broker = await startCli(['--prover-broker', '--prover-broker.in-memory', '--port', '0'], isolatedEnv());
}, { timeout: 40 * MIN });

after(async () => {
  if (agent && agent.child.exitCode === null && agent.child.signalCode === null) await agent.stop('SIGKILL', { group: true });
  await broker?.stop();
  await node?.stop();
});

test('an agent under Deno makes real proofs with bb, and its bb processes end with it', { timeout: 15 * MIN }, async () => {
  const url = `http://127.0.0.1:${broker.port}`;
  agent = await startCli(
    ['--prover-agent', '--prover-agent.broker-url', url, '--prover-agent.count', '2', '--circuit-prover.backend', 'native', '--data-dir', TEST_DATA_DIR, '--port', '0'],
    isolatedEnv(),
    5 * MIN,
    { runtime: 'deno' },
  );
  assert.match(agent.logs(), /"runtime":"deno 2\./);
  const client = new ProvingBrokerClient(url);
  const vkTree = await node.getVkTree();
  const simulated = new SimulatedCircuitProver();

  // a block's two parity-base halves, the children of one parity-root
  const inputs = buildParityBaseInputs(Array.from({ length: 10 }, (_, i) => BigInt(11 + i)), vkTree.root);
  assert.equal(inputs.length, 2);
  const bases = await Promise.all(
    inputs.map(async (i) => decodeProofResult(await proveWith(client, makeProvingJob(1, 'parity-base', encodeCircuitInputs('parity-base', i)), { pollMs: 500 }), 'parity-base')),
  );
  const vk = await node.getVerificationKey('parity-base');
  for (const [k, base] of bases.entries()) {
    assert.equal(base.proof.length, PROOF_LENGTH);
    assert.ok(base.proof.some((f) => f !== 0n), 'a real proof, not the simulated placeholder');
    assert.equal(base.vk.hash, vk.hash, 'the VK is the one the Node prover computes');
    assert.deepEqual(base.publicInputs, (await simulated.prove('parity-base', inputs[k]!)).publicInputs);
  }

  // one bb per worker, each started with the CRS in its environment
  const bbs = await waitFor('two bb children of the Deno agent', async () => (bbChildren(agent!.pid).length === 2 ? bbChildren(agent!.pid) : undefined), 10_000);
  for (const bb of bbs) {
    const environ = readFileSync(`/proc/${bb.pid}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes(`CRS_PATH=${join(TEST_DATA_DIR, 'crs', 'dev')}`), `bb ${bb.pid} reads the dev CRS`);
  }

  // parity-root verifies both Deno-made proofs inside the circuit
  const rootInputs = buildParityRootInputs(bases[0]!, bases[1]!, vkTree);
  const root = decodeProofResult(await proveWith(client, makeProvingJob(1, 'parity-root', encodeCircuitInputs('parity-root', rootInputs)), { pollMs: 500 }), 'parity-root');
  assert.deepEqual(root.publicInputs, (await simulated.prove('parity-root', rootInputs)).publicInputs);
  assert.equal(root.proof.length, PROOF_LENGTH);

  const { code } = await agent.stop('SIGTERM');
  assert.equal(code, 0, agent.logs().slice(-2000));
  await waitFor('the agent\'s bb processes to end', async () => bbs.every((bb) => !existsSync(`/proc/${bb.pid}`) || /^State:\s+Z/m.test(readFileSync(`/proc/${bb.pid}/status`, 'utf8'))), 10_000);
});
