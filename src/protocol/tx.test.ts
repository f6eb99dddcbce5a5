import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROOF_LENGTH } from './constants.js';
import { poseidon2Hash } from './hash/poseidon2.js';
import { Tx, buildTxCircuitInputs, feePayerOf, firstNullifierOf, txHashOf } from './tx.js';

const req = { secret: 7n, nonce: 3n, chainId: 31337n, version: 1n, transactionFee: 50n, noteHashes: [9n], extraNullifiers: [44n], l2ToL1Msgs: [5n] };

test('buildTxCircuitInputs pads arrays and derives fee payer and first nullifier', () => {
  const { effects } = buildTxCircuitInputs(req);
  assert.equal(effects.feePayer, poseidon2Hash([7n]));
  assert.deepEqual(effects.nullifiers, [poseidon2Hash([7n, 3n]), 44n, 0n, 0n]);
  assert.deepEqual(effects.noteHashes, [9n, 0n, 0n, 0n]);
  assert.deepEqual(effects.l2ToL1Msgs, [5n, 0n]);
  assert.equal(feePayerOf(7n), effects.feePayer);
  assert.equal(firstNullifierOf(7n, 3n), effects.nullifiers[0]);
  assert.throws(() => buildTxCircuitInputs({ ...req, noteHashes: [1n, 2n, 3n, 4n, 5n] }), RangeError);
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
