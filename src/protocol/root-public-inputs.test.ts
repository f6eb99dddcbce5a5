import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BLOCKS_PER_EPOCH, ROOT_PUBLIC_INPUTS_LENGTH } from './constants.js';
import { sha256MerkleRoot } from './hash/sha256.js';
import { RootRollupPublicInputs, computeEpochOutHash } from './root-public-inputs.js';

test('root public inputs: SPEC order, padding, round trip', () => {
  const pi = new RootRollupPublicInputs(1n, 2n, [10n, 11n], [{ recipient: 0xaan, value: 5n }, { recipient: 0xbbn, value: 6n }], 7n, 8n, 9n, 31337n, 1n);
  const f = pi.toFields();
  assert.equal(f.length, ROOT_PUBLIC_INPUTS_LENGTH);
  assert.deepEqual(f.slice(0, 4), [1n, 2n, 10n, 11n]);
  assert.equal(f[2 + MAX_BLOCKS_PER_EPOCH - 1], 0n);
  const feesAt = 2 + MAX_BLOCKS_PER_EPOCH;
  assert.deepEqual(f.slice(feesAt, feesAt + 4), [0xaan, 5n, 0xbbn, 6n]);
  assert.deepEqual(f.slice(-5), [7n, 8n, 9n, 31337n, 1n]);
  assert.deepEqual(RootRollupPublicInputs.fromFields(f).toFields(), f);
  assert.equal(pi.toHex()[0], '0x' + '0'.repeat(63) + '1');
  assert.throws(() => new RootRollupPublicInputs(0n, 0n, Array(17).fill(1n), [], 0n, 0n, 0n, 0n, 0n), RangeError);
});

test('epoch outHash pads the block out hashes to MAX_BLOCKS_PER_EPOCH', () => {
  assert.equal(computeEpochOutHash([3n]), sha256MerkleRoot([3n, ...Array(MAX_BLOCKS_PER_EPOCH - 1).fill(0n)]));
});
