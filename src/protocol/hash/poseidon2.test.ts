import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poseidon2Hash, poseidon2Permutation, FIELD_MODULUS } from './poseidon2.js';

test('poseidon2Hash is the sponge over the permutation with IV len << 64', () => {
  const [a, b] = [1n, 2n];
  const state = poseidon2Permutation([a, b, 0n, 2n << 64n]);
  assert.equal(poseidon2Hash([a, b]), state[0]);
});

test('poseidon2Hash differs by input length (IV binds the length)', () => {
  assert.notEqual(poseidon2Hash([1n]), poseidon2Hash([1n, 0n]));
});

test('out-of-range field elements are refused', () => {
  assert.throws(() => poseidon2Hash([FIELD_MODULUS]), /out of range/);
});
