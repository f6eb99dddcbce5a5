import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAbiParameters } from 'viem';
import { PROOF_LENGTH } from './constants.js';
import { poseidon2Hash } from './hash/poseidon2.js';
import { sha256ToField } from './hash/sha256.js';
import { Tx, buildTxCircuitInputs, feePayerOf, firstNullifierOf, l2ToL1MessageLeaf, siloNullifier, txHashOf } from './tx.js';

const recipient = 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n;
const req = { secret: 7n, nonce: 3n, chainId: 31337n, version: 1n, transactionFee: 50n, noteHashes: [9n], extraNullifiers: [44n], l2ToL1Msgs: [{ recipient, content: 5n }] };

test('buildTxCircuitInputs pads arrays, derives the fee payer, silos the nullifiers, binds messages to the sender', () => {
  const inputs = buildTxCircuitInputs(req);
  const { effects } = inputs;
  const account = poseidon2Hash([7n]);
  assert.equal(effects.feePayer, account);
  assert.deepEqual(inputs.innerNullifiers, [poseidon2Hash([7n, 3n]), 44n, 0n, 0n]);
  assert.deepEqual(effects.nullifiers, [poseidon2Hash([account, poseidon2Hash([7n, 3n])]), poseidon2Hash([account, 44n]), 0n, 0n]);
  assert.deepEqual(effects.noteHashes, [9n, 0n, 0n, 0n]);
  assert.deepEqual(inputs.l2ToL1Msgs, [{ recipient, content: 5n }, { recipient: 0n, content: 0n }]);
  assert.deepEqual(effects.l2ToL1Msgs, [l2ToL1MessageLeaf(account, { recipient, content: 5n }), 0n]);
  assert.equal(feePayerOf(7n), effects.feePayer);
  assert.equal(firstNullifierOf(7n, 3n), effects.nullifiers[0]);
  assert.throws(() => buildTxCircuitInputs({ ...req, noteHashes: [1n, 2n, 3n, 4n, 5n] }), RangeError);
  assert.throws(() => buildTxCircuitInputs({ ...req, l2ToL1Msgs: [{ recipient: 1n << 160n, content: 1n }] }), /recipient must be a non-zero L1 address/);
  assert.throws(() => buildTxCircuitInputs({ ...req, l2ToL1Msgs: [{ recipient: 0n, content: 1n }] }), /recipient must be a non-zero L1 address/);
});

test('the same inner nullifier from two accounts gives two nullifiers; padding stays 0', () => {
  assert.notEqual(siloNullifier(feePayerOf(7n), 44n), siloNullifier(feePayerOf(8n), 44n));
  assert.equal(siloNullifier(feePayerOf(7n), 0n), 0n);
});

test('the L2->L1 message leaf is what the Outbox hashes: sha256ToField(abi.encode(bytes32 sender, address recipient, bytes32 content))', () => {
  const sender = feePayerOf(7n);
  const enc = encodeAbiParameters(
    [{ type: 'bytes32' }, { type: 'address' }, { type: 'bytes32' }],
    [`0x${sender.toString(16).padStart(64, '0')}`, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', `0x${(5n).toString(16).padStart(64, '0')}`],
  );
  assert.equal(l2ToL1MessageLeaf(sender, { recipient, content: 5n }), sha256ToField(Buffer.from(enc.slice(2), 'hex')));
  assert.notEqual(l2ToL1MessageLeaf(feePayerOf(8n), { recipient, content: 5n }), l2ToL1MessageLeaf(sender, { recipient, content: 5n }));
  assert.equal(l2ToL1MessageLeaf(sender, { recipient: 0n, content: 0n }), 0n);
});

test('tx hash is poseidon2 of the public outputs in SPEC order and changes with any effect', () => {
  const o = buildTxCircuitInputs(req).effects;
  assert.equal(txHashOf(o), poseidon2Hash([o.chainId, o.version, o.transactionFee, o.feePayer, ...o.noteHashes, ...o.nullifiers, ...o.l2ToL1Msgs]));
  assert.notEqual(txHashOf({ ...o, transactionFee: 51n }), txHashOf(o));
  assert.notEqual(txHashOf({ ...o, chainId: 1n }), txHashOf(o));
});

test('Tx bytes round trip; effect carries the tx hash', () => {
  const o = buildTxCircuitInputs(req).effects;
  const proof = Array.from({ length: PROOF_LENGTH }, (_, i) => BigInt(i));
  const tx = new Tx(o, proof);
  const back = Tx.fromBytes(tx.toBytes());
  assert.deepEqual(back.publicOutputs, o);
  assert.deepEqual(back.proof, proof);
  assert.equal(back.hash(), tx.hash());
  const e = tx.toEffect();
  assert.equal(e.txHash, tx.hash());
  assert.deepEqual(e.nullifiers, o.nullifiers);
  assert.throws(() => Tx.fromBytes(tx.toBytes().subarray(0, 100)), RangeError);
});
