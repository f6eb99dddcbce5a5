import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poseidon2Hash } from '../hash/poseidon2.js';
import { computeRootFromPath, hashNullifierLeaf, zeroHash } from './hash.js';
import { ReferenceAppendOnlyTree, ReferenceNullifierTree, ReferencePublicDataTree } from './reference.js';
import {
  TreeWitnessError,
  verifyAppendOnlyMembership,
  verifyNullifierInsertion,
  verifyNullifierNonMembership,
  verifyPublicDataRead,
  verifyPublicDataWrite,
  verifySubtreeAppend,
} from './verify.js';

const h = (a: bigint, b: bigint) => poseidon2Hash([a, b]);

test('zero hashes follow SPEC: zero[0] = 0, zero[i+1] = H(zero[i], zero[i])', () => {
  assert.equal(zeroHash(0), 0n);
  assert.equal(zeroHash(1), h(0n, 0n));
  assert.equal(zeroHash(2), h(h(0n, 0n), h(0n, 0n)));
  assert.equal(new ReferenceAppendOnlyTree(5).root(), zeroHash(5));
});

test('append-only root and sibling paths by hand (height 2)', () => {
  const t = new ReferenceAppendOnlyTree(2);
  t.appendLeaves([7n, 8n, 9n]);
  assert.equal(t.root(), h(h(7n, 8n), h(9n, 0n)));
  assert.deepEqual(t.getSiblingPath(2), [0n, h(7n, 8n)]);
  assert.deepEqual(t.snapshot(), { root: t.root(), nextAvailableLeafIndex: 3 });
  assert.equal(t.getLeaf(1), 8n);
  assert.equal(t.getLeaf(3), 0n);
  assert.equal(t.findLeafIndex(9n), 2);
  assert.equal(t.findLeafIndex(9n, 3), undefined);
  assert.throws(() => t.appendLeaves([1n, 2n]), /full/);
});

test('appendEmptyLeaves is appending zeros; paths beyond index 2^32 verify (height 36)', () => {
  const a = new ReferenceAppendOnlyTree(5);
  const b = new ReferenceAppendOnlyTree(5);
  a.appendLeaves([1n]);
  b.appendLeaves([1n]);
  a.appendEmptyLeaves(6);
  b.appendLeaves([0n, 0n, 0n, 0n, 0n, 0n]);
  a.appendLeaves([9n]);
  b.appendLeaves([9n]);
  assert.deepEqual(a.snapshot(), b.snapshot());
  assert.deepEqual(a.getSiblingPath(7), b.getSiblingPath(7));
  assert.throws(() => a.appendEmptyLeaves(32), RangeError);

  const big = new ReferenceAppendOnlyTree(36);
  const index = 2 ** 32 + 4;
  big.appendEmptyLeaves(index);
  big.appendLeaves([77n, 78n]);
  assert.equal(big.size(), index + 2);
  for (const i of [index, index + 1]) verifyAppendOnlyMembership(big.root(), { leaf: big.getLeaf(i), leafIndex: i, siblingPath: big.getSiblingPath(i) });
  assert.equal(big.findLeafIndex(78n), index + 1);
  assert.equal(big.getSiblingPath(index)[0], 78n); // the right neighbour, not index ^ 1 computed in 32 bits
});

test('every sibling path verifies against the root', () => {
  const t = new ReferenceAppendOnlyTree(4);
  t.appendLeaves([1n, 2n, 3n, 4n, 5n]);
  for (let i = 0; i < 8; i++) {
    verifyAppendOnlyMembership(t.root(), { leaf: t.getLeaf(i), leafIndex: i, siblingPath: t.getSiblingPath(i) });
  }
  assert.throws(
    () => verifyAppendOnlyMembership(t.root(), { leaf: 99n, leafIndex: 0, siblingPath: t.getSiblingPath(0) }),
    TreeWitnessError,
  );
});

test('subtree append witness verifies and matches the tree', () => {
  const t = new ReferenceAppendOnlyTree(5);
  t.appendLeaves([1n, 2n, 3n, 4n]);
  const before = t.snapshot();
  const path = t.getSubtreeSiblingPath(2);
  assert.equal(path.length, 3);
  const leaves = [5n, 6n, 0n, 0n];
  const after = verifySubtreeAppend(before, leaves, path);
  t.appendLeaves(leaves);
  assert.deepEqual(after, t.snapshot());
  t.appendLeaves([1n]);
  assert.throws(() => t.getSubtreeSiblingPath(2), /aligned/);
});

test('nullifier tree: initial leaf is a real leaf, insertions give verifiable witnesses', () => {
  const t = new ReferenceNullifierTree(4);
  const initial = t.snapshot();
  assert.equal(initial.nextAvailableLeafIndex, 1);
  assert.equal(initial.root, computeRootFromPath(hashNullifierLeaf({ value: 0n, nextIndex: 0n, nextValue: 0n }), 0, t.getSiblingPath(0)));
  assert.notEqual(initial.root, zeroHash(4));

  let snap = initial;
  for (const v of [50n, 20n, 80n, 30n, 10n]) {
    const w = t.insert(v);
    snap = verifyNullifierInsertion(snap, v, w);
    assert.deepEqual(snap, t.snapshot());
  }
  // linked list is sorted: 0 -> 10 -> 20 -> 30 -> 50 -> 80 -> end
  let i = 0;
  const order: bigint[] = [];
  do {
    const l = t.getLeafPreimage(i)!;
    order.push(l.value);
    i = Number(l.nextIndex);
  } while (i !== 0);
  assert.deepEqual(order, [0n, 10n, 20n, 30n, 50n, 80n]);
  const w = t.insert(25n);
  assert.equal(w.lowLeaf.value, 20n);
  assert.deepEqual(w.newLeaf, { value: 25n, nextIndex: BigInt(4), nextValue: 30n });
});

test('nullifier tree refuses an existing value and stays unchanged', () => {
  const t = new ReferenceNullifierTree(4);
  t.insert(5n);
  const before = t.snapshot();
  assert.throws(() => t.insert(5n), /nullifier already exists/);
  assert.throws(() => t.insert(0n), /nullifier already exists/);
  assert.deepEqual(t.snapshot(), before);
});

test('nullifier non-membership and forged witnesses', () => {
  const t = new ReferenceNullifierTree(4);
  t.insert(10n);
  t.insert(30n);
  const w = t.getNonMembershipWitness(20n);
  verifyNullifierNonMembership(t.root(), 20n, w);
  assert.throws(() => verifyNullifierNonMembership(t.root(), 30n, w), TreeWitnessError);
  assert.throws(() => t.getNonMembershipWitness(30n), /already exists/);

  const before = t.snapshot();
  const ins = t.clone().insert(20n);
  assert.throws(() => verifyNullifierInsertion(before, 21n, ins), TreeWitnessError);
  const forged = { ...ins, lowLeafIndex: 0 };
  assert.throws(() => verifyNullifierInsertion(before, 20n, forged), TreeWitnessError);
  const wrongNext = { ...ins, newLeaf: { ...ins.newLeaf, nextValue: 0n, nextIndex: 0n } };
  assert.throws(() => verifyNullifierInsertion(before, 20n, wrongNext), TreeWitnessError);
});

test('public data: insert, update in place, reads with witnesses', () => {
  const t = new ReferencePublicDataTree(4);
  let snap = t.snapshot();
  const w1 = t.write(100n, 7n);
  assert.equal(w1.kind, 'insert');
  snap = verifyPublicDataWrite(snap, 100n, 7n, w1);
  const w2 = t.write(50n, 3n);
  snap = verifyPublicDataWrite(snap, 50n, 3n, w2);
  const w3 = t.write(100n, 5n);
  assert.equal(w3.kind, 'update');
  snap = verifyPublicDataWrite(snap, 100n, 5n, w3);
  assert.deepEqual(snap, t.snapshot());
  assert.equal(snap.nextAvailableLeafIndex, 3);
  assert.throws(() => verifyPublicDataWrite(snap, 100n, 6n, w3), TreeWitnessError);

  const r = t.readWithWitness(100n);
  assert.equal(r.value, 5n);
  assert.equal(verifyPublicDataRead(t.root(), 100n, r.witness), 5n);
  const absent = t.readWithWitness(75n);
  assert.equal(absent.witness.kind, 'nonMember');
  assert.equal(verifyPublicDataRead(t.root(), 75n, absent.witness), 0n);
  assert.throws(() => verifyPublicDataRead(t.root(), 75n, { ...r.witness, kind: 'nonMember' }), TreeWitnessError);
  assert.equal(t.read(50n), 3n);
  assert.throws(() => t.write(0n, 1n), /reserved/);
});

test('clones are independent', () => {
  const t = new ReferenceNullifierTree(4);
  t.insert(3n);
  const c = t.clone();
  c.insert(4n);
  assert.equal(t.size(), 2);
  assert.equal(c.size(), 3);
  assert.notEqual(t.root(), c.root());
});
