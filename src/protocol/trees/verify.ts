// Witness checks, the same ones the base circuit makes. Each returns the tree snapshot after the
// operation, or throws a TreeWitnessError naming the failed check.
import { computeRootFromPath, hashNode, hashNullifierLeaf, hashPublicDataLeaf, zeroHash } from './hash.js';
import type {
  IndexedInsertionWitness,
  MembershipWitness,
  NullifierInsertionWitness,
  NullifierLeaf,
  NullifierNonMembershipWitness,
  PublicDataLeaf,
  PublicDataReadWitness,
  PublicDataWriteWitness,
  TreeSnapshot,
} from './types.js';

export class TreeWitnessError extends Error {
  override name = 'TreeWitnessError';
}

function check(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new TreeWitnessError(msg);
}

/** Checks that `leafHash` sits at `leafIndex` under `root`. */
export function verifyMembership(root: bigint, leafHash: bigint, leafIndex: number, siblingPath: bigint[]): void {
  check(computeRootFromPath(leafHash, leafIndex, siblingPath) === root, 'membership: root mismatch');
}

interface KeyedKind<L> {
  key(l: L): bigint;
  nextKey(l: L): bigint;
  nextIndex(l: L): bigint;
  hash(l: L): bigint;
  withNext(l: L, nextIndex: bigint, nextKey: bigint): L;
  equalLeaf(a: L, b: L): boolean;
}

const nullifierKind: KeyedKind<NullifierLeaf> = {
  key: (l) => l.value,
  nextKey: (l) => l.nextValue,
  nextIndex: (l) => l.nextIndex,
  hash: hashNullifierLeaf,
  withNext: (l, nextIndex, nextValue) => ({ value: l.value, nextIndex, nextValue }),
  equalLeaf: (a, b) => a.value === b.value && a.nextIndex === b.nextIndex && a.nextValue === b.nextValue,
};

const publicDataKind: KeyedKind<PublicDataLeaf> = {
  key: (l) => l.slot,
  nextKey: (l) => l.nextSlot,
  nextIndex: (l) => l.nextIndex,
  hash: hashPublicDataLeaf,
  withNext: (l, nextIndex, nextSlot) => ({ slot: l.slot, value: l.value, nextIndex, nextSlot }),
  equalLeaf: (a, b) => a.slot === b.slot && a.value === b.value && a.nextIndex === b.nextIndex && a.nextSlot === b.nextSlot,
};

/** `low` proves `key` absent: low.key < key and (low is the largest, or key < low.nextKey). */
function checkLowLeafBrackets<L>(kind: KeyedKind<L>, low: L, key: bigint, what: string): void {
  check(kind.key(low) < key, `${what}: low leaf key is not below the key`);
  const largest = kind.nextIndex(low) === 0n && kind.nextKey(low) === 0n;
  check(largest || key < kind.nextKey(low), `${what}: key is not below the low leaf's next key`);
}

function verifyIndexedInsertion<L>(
  kind: KeyedKind<L>,
  before: TreeSnapshot,
  key: bigint,
  w: IndexedInsertionWitness<L>,
  what: string,
): TreeSnapshot {
  checkLowLeafBrackets(kind, w.lowLeaf, key, what);
  check(
    computeRootFromPath(kind.hash(w.lowLeaf), w.lowLeafIndex, w.lowLeafSiblingPath) === before.root,
    `${what}: low leaf membership: root mismatch`,
  );
  check(w.newLeafIndex === before.nextAvailableLeafIndex, `${what}: new leaf index is not the next free index`);
  check(kind.key(w.newLeaf) === key, `${what}: new leaf key differs`);
  check(kind.nextIndex(w.newLeaf) === kind.nextIndex(w.lowLeaf), `${what}: new leaf nextIndex differs from the low leaf's`);
  check(kind.nextKey(w.newLeaf) === kind.nextKey(w.lowLeaf), `${what}: new leaf next key differs from the low leaf's`);
  const updatedLow = kind.withNext(w.lowLeaf, BigInt(w.newLeafIndex), key);
  const intermediate = computeRootFromPath(kind.hash(updatedLow), w.lowLeafIndex, w.lowLeafSiblingPath);
  check(
    computeRootFromPath(0n, w.newLeafIndex, w.newLeafSiblingPath) === intermediate,
    `${what}: new leaf slot is not empty under the intermediate root`,
  );
  return {
    root: computeRootFromPath(kind.hash(w.newLeaf), w.newLeafIndex, w.newLeafSiblingPath),
    nextAvailableLeafIndex: before.nextAvailableLeafIndex + 1,
  };
}

/** Checks a nullifier insertion witness for `value` against `before`; returns the snapshot after. */
export function verifyNullifierInsertion(before: TreeSnapshot, value: bigint, w: NullifierInsertionWitness): TreeSnapshot {
  return verifyIndexedInsertion(nullifierKind, before, value, w, 'nullifier insertion');
}

/** Checks that `value` is absent from the nullifier tree at `root`. */
export function verifyNullifierNonMembership(root: bigint, value: bigint, w: NullifierNonMembershipWitness): void {
  checkLowLeafBrackets(nullifierKind, w.leaf, value, 'nullifier non-membership');
  check(
    computeRootFromPath(hashNullifierLeaf(w.leaf), w.leafIndex, w.siblingPath) === root,
    'nullifier non-membership: root mismatch',
  );
}

/** Checks a public data write of `value` at `slot`; returns the snapshot after. */
export function verifyPublicDataWrite(
  before: TreeSnapshot,
  slot: bigint,
  value: bigint,
  w: PublicDataWriteWitness,
): TreeSnapshot {
  if (w.kind === 'insert') {
    check(w.newLeaf.value === value, 'public data insertion: new leaf value differs');
    return verifyIndexedInsertion(publicDataKind, before, slot, w, 'public data insertion');
  }
  check(w.leaf.slot === slot, 'public data update: leaf slot differs');
  check(
    computeRootFromPath(hashPublicDataLeaf(w.leaf), w.leafIndex, w.siblingPath) === before.root,
    'public data update: leaf membership: root mismatch',
  );
  const expected = { ...w.leaf, value };
  check(publicDataKind.equalLeaf(expected, w.newLeaf), 'public data update: new leaf differs from the old one with the new value');
  return {
    root: computeRootFromPath(hashPublicDataLeaf(expected), w.leafIndex, w.siblingPath),
    nextAvailableLeafIndex: before.nextAvailableLeafIndex,
  };
}

/** Checks a public data read at `slot` against `root`; returns the value read. */
export function verifyPublicDataRead(root: bigint, slot: bigint, w: PublicDataReadWitness): bigint {
  check(
    computeRootFromPath(hashPublicDataLeaf(w.leaf), w.leafIndex, w.siblingPath) === root,
    'public data read: root mismatch',
  );
  if (w.kind === 'member') {
    check(w.leaf.slot === slot, 'public data read: leaf slot differs');
    return w.leaf.value;
  }
  checkLowLeafBrackets(publicDataKind, w.leaf, slot, 'public data read');
  return 0n;
}

/** Checks an append-only membership witness (leaf value = leaf hash). */
export function verifyAppendOnlyMembership(root: bigint, w: MembershipWitness<bigint>): void {
  verifyMembership(root, w.leaf, w.leafIndex, w.siblingPath);
}

/** Root of a full subtree over `leaves` (a power-of-two count). */
export function subtreeRoot(leaves: readonly bigint[]): bigint {
  let level = [...leaves];
  if (level.length === 0 || (level.length & (level.length - 1)) !== 0) throw new RangeError('subtree needs 2^k leaves');
  while (level.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashNode(level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

/**
 * Checks an aligned subtree append of `leaves` (2^k of them) at `before.nextAvailableLeafIndex`,
 * given the subtree's sibling path before the append; returns the snapshot after.
 */
export function verifySubtreeAppend(before: TreeSnapshot, leaves: readonly bigint[], subtreeSiblingPath: bigint[]): TreeSnapshot {
  const k = Math.log2(leaves.length);
  const start = before.nextAvailableLeafIndex;
  check(Number.isInteger(k) && start % leaves.length === 0, 'subtree append: index not aligned');
  const subtreeIndex = start / leaves.length;
  check(computeRootFromPath(zeroHash(k), subtreeIndex, subtreeSiblingPath) === before.root, 'subtree append: slot not empty under root');
  return {
    root: computeRootFromPath(subtreeRoot(leaves), subtreeIndex, subtreeSiblingPath),
    nextAvailableLeafIndex: start + leaves.length,
  };
}
