import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { CircuitExecutionError } from '@quetzal/protocol/circuit-prover';
import { PROOF_LENGTH, VK_LENGTH } from '@quetzal/protocol/constants';
import { decodeProofResult, encodeCircuitInputs, proveEncoded } from '@quetzal/protocol/circuits/encoding';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { buildParityBaseInputs } from '@quetzal/protocol/circuits/block-building';
import { computeInHash } from '@quetzal/protocol/block/body';
import { buildTxCircuitInputs, txHashOf } from '@quetzal/protocol/tx';
import { SimulatedCircuitProver } from './simulated-prover.js';

const inThread = new SimulatedCircuitProver();
let pooled: SimulatedCircuitProver;
const txInputs = buildTxCircuitInputs({ secret: 9n, nonce: 1n, chainId: 1n, version: 1n, transactionFee: 3n, noteHashes: [4n] });

before(async () => {
  await ensureCircuitsBuilt();
  pooled = new SimulatedCircuitProver({ workers: 1, logger: pino({ level: 'silent' }) });
});
after(() => pooled.stop());

test('simulated proofs: public outputs decoded, placeholder proof and VK of the right sizes, VK hash from the VK tree', async () => {
  const r = await inThread.proveTx(txInputs);
  assert.deepEqual(r.publicOutputs, txInputs.effects);
  assert.equal(r.proof.length, PROOF_LENGTH);
  assert.equal(r.vk.fields.length, VK_LENGTH);
  assert.equal(r.vk.hash, (await inThread.getVkTree()).vkHash('tx'));
  assert.equal(r.publicInputs.length, 14);
});

test('worker-thread witness generation gives the same outputs and the same assertion messages', async () => {
  const msgs = [5n, 6n, 7n];
  const [p0, p1] = buildParityBaseInputs(msgs, 77n);
  const [a, b] = await Promise.all([inThread.proveParityBase(p0!), pooled.proveParityBase(p0!)]);
  assert.deepEqual(a, b);
  assert.equal(computeInHash(msgs) !== 0n, true);
  assert.deepEqual((await pooled.proveParityBase(p1!)).publicOutputs.vkTreeRoot, 77n);
  const bad = structuredClone(txInputs);
  bad.effects.feePayer += 1n;
  for (const p of [inThread, pooled]) {
    await assert.rejects(p.proveTx(bad), (e: unknown) => e instanceof CircuitExecutionError && e.reason === "fee payer is not the sender's address");
  }
});

test('an aborted call rejects', async () => {
  const c = new AbortController();
  c.abort(new Error('stop'));
  await assert.rejects(pooled.proveTx(txInputs, { signal: c.signal }), /stop/);
  await assert.rejects(inThread.proveTx(txInputs, { signal: c.signal }), /stop/);
});

test('proveEncoded: job bytes in, result bytes out', async () => {
  const out = decodeProofResult(await proveEncoded(inThread, 'tx', encodeCircuitInputs('tx', txInputs)), 'tx');
  assert.deepEqual(out.publicOutputs, txInputs.effects);
  assert.equal(txHashOf(out.publicOutputs), txHashOf(txInputs.effects));
});

test('proveTx: a Tx whose hash is the hash of its proven public outputs', async () => {
  const { proveTx } = await import('@quetzal/protocol/tx');
  const tx = await proveTx(inThread, { secret: 9n, nonce: 2n, chainId: 1n, version: 1n, transactionFee: 0n });
  assert.equal(tx.proof.length, PROOF_LENGTH);
  assert.equal(tx.hash(), txHashOf(tx.publicOutputs));
  await assert.rejects(proveTx(inThread, { secret: 0n, nonce: 2n, chainId: 1n, version: 1n, transactionFee: 0n }), /sender secret must be non-zero/);
});
