import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  sha256ToField, sha256Node, sha256MerkleRoot, wonkyRoot, wonkyPath, rootFromPath, toBytes32, fromBytes, padTo, bytesToFields, fieldsToBytes,
} from './sha256.js';

const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest();

test('sha256ToField zeroes the first byte of sha256', () => {
  const input = new TextEncoder().encode('quetzal');
  const d = nodeSha(input);
  d[0] = 0;
  assert.equal(sha256ToField(input), BigInt('0x' + d.toString('hex')));
  assert.ok(sha256ToField(input) < 1n << 248n);
  // sha256('') = e3b0c442...; first byte zeroed
  assert.equal(sha256ToField(new Uint8Array()), 0x00b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855n);
});

test('toBytes32 / fromBytes round trip and range checks', () => {
  for (const v of [0n, 1n, 255n, 256n, (1n << 256n) - 1n]) assert.equal(fromBytes(toBytes32(v)), v);
  assert.throws(() => toBytes32(1n << 256n), RangeError);
  assert.throws(() => toBytes32(-1n), RangeError);
  assert.deepEqual(bytesToFields(fieldsToBytes([1n, 2n, 3n])), [1n, 2n, 3n]);
  assert.throws(() => bytesToFields(new Uint8Array(33)), RangeError);
});

test('sha256Node hashes the 64-byte concatenation', () => {
  const expected = nodeSha(Buffer.concat([toBytes32(1n), toBytes32(2n)]));
  expected[0] = 0;
  assert.equal(sha256Node(1n, 2n), BigInt('0x' + expected.toString('hex')));
  assert.notEqual(sha256Node(1n, 2n), sha256Node(2n, 1n));
});

test('sha256MerkleRoot is balanced and refuses non-powers of two', () => {
  const l = [1n, 2n, 3n, 4n];
  assert.equal(sha256MerkleRoot(l), sha256Node(sha256Node(1n, 2n), sha256Node(3n, 4n)));
  assert.equal(sha256MerkleRoot([7n]), 7n);
  assert.throws(() => sha256MerkleRoot([1n, 2n, 3n]), RangeError);
  assert.throws(() => sha256MerkleRoot([]), RangeError);
});

test('wonky tree shapes for n = 1..5 follow SPEC (left = largest power of two below n)', () => {
  const [a, b, c, d, e] = [11n, 22n, 33n, 44n, 55n];
  const H = sha256Node;
  assert.equal(wonkyRoot([]), 0n);
  assert.equal(wonkyRoot([a]), a);
  assert.equal(wonkyRoot([a, b]), H(a, b));
  assert.equal(wonkyRoot([a, b, c]), H(H(a, b), c));
  assert.equal(wonkyRoot([a, b, c, d]), H(H(a, b), H(c, d)));
  assert.equal(wonkyRoot([a, b, c, d, e]), H(H(H(a, b), H(c, d)), e));
  // n = 6: 4 + 2; n = 7: 4 + (2 + 1)
  const f = 66n, g = 77n;
  assert.equal(wonkyRoot([a, b, c, d, e, f]), H(H(H(a, b), H(c, d)), H(e, f)));
  assert.equal(wonkyRoot([a, b, c, d, e, f, g]), H(H(H(a, b), H(c, d)), H(H(e, f), g)));
});

test('wonky paths recompute the root for every leaf of every size up to 17', () => {
  for (let n = 1; n <= 17; n++) {
    const leaves = Array.from({ length: n }, (_, i) => BigInt(i + 1) * 1000n);
    const root = wonkyRoot(leaves);
    for (let i = 0; i < n; i++) assert.equal(rootFromPath(leaves[i]!, wonkyPath(leaves, i)), root, `n=${n} i=${i}`);
    // a wrong leaf does not
    assert.notEqual(rootFromPath(leaves[0]! + 1n, wonkyPath(leaves, 0)), root);
  }
});

test('padTo pads with zeros and refuses overflow', () => {
  assert.deepEqual(padTo([1n], 3), [1n, 0n, 0n]);
  assert.throws(() => padTo([1n, 2n], 1), RangeError);
});
