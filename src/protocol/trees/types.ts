// Tree types shared by the world state, the tx processor and the circuits' witness builders.
// Conventions (SPEC.md "Trees"):
//  - Fields are `bigint`; leaf indices are `number` (heights are at most 52, so every index is a
//    safe integer).
//  - A sibling path lists `height` Fields from the leaf level up: path[0] is the sibling of the
//    leaf, path[height - 1] the sibling of the root's child.

/** The five trees of the world state, in the order of the header's state reference. */
export enum TreeId {
  L1_TO_L2_MESSAGES = 0,
  NOTE_HASH = 1,
  NULLIFIER = 2,
  PUBLIC_DATA = 3,
  ARCHIVE = 4,
}

export const TREE_IDS: readonly TreeId[] = [
  TreeId.L1_TO_L2_MESSAGES,
  TreeId.NOTE_HASH,
  TreeId.NULLIFIER,
  TreeId.PUBLIC_DATA,
  TreeId.ARCHIVE,
];

export const TREE_NAMES: Record<TreeId, string> = {
  [TreeId.L1_TO_L2_MESSAGES]: 'l1-to-l2-messages',
  [TreeId.NOTE_HASH]: 'note-hash',
  [TreeId.NULLIFIER]: 'nullifier',
  [TreeId.PUBLIC_DATA]: 'public-data',
  [TreeId.ARCHIVE]: 'archive',
};

export type AppendOnlyTreeId = TreeId.L1_TO_L2_MESSAGES | TreeId.NOTE_HASH | TreeId.ARCHIVE;
export type IndexedTreeId = TreeId.NULLIFIER | TreeId.PUBLIC_DATA;

/** A tree's state: what the block header records. */
export interface TreeSnapshot {
  root: bigint;
  nextAvailableLeafIndex: number;
}

export type SiblingPath = bigint[];

/** Nullifier tree leaf: `poseidon2([value, nextIndex, nextValue])`. */
export interface NullifierLeaf {
  value: bigint;
  nextIndex: bigint;
  nextValue: bigint;
}

/** Public data tree leaf: `poseidon2([slot, value, nextIndex, nextSlot])`. */
export interface PublicDataLeaf {
  slot: bigint;
  value: bigint;
  nextIndex: bigint;
  nextSlot: bigint;
}

/** A leaf, its index and its sibling path: proves the leaf is in the tree at that root. */
export interface MembershipWitness<L = bigint> {
  leaf: L;
  leafIndex: number;
  siblingPath: SiblingPath;
}

/**
 * Witness of one indexed insertion (SPEC.md "Trees"): the low leaf before the update, its index
 * and its sibling path before the update; the new leaf, its index (the tree's next free index)
 * and its sibling path after the low leaf was updated.
 */
export interface IndexedInsertionWitness<L> {
  lowLeaf: L;
  lowLeafIndex: number;
  lowLeafSiblingPath: SiblingPath;
  newLeaf: L;
  newLeafIndex: number;
  newLeafSiblingPath: SiblingPath;
}

export type NullifierInsertionWitness = IndexedInsertionWitness<NullifierLeaf>;

/** A public data write: either an in-place update of the slot's leaf, or an insertion. */
export type PublicDataWriteWitness =
  | {
      kind: 'update';
      /** The leaf before the write, its index and sibling path. */
      leaf: PublicDataLeaf;
      leafIndex: number;
      siblingPath: SiblingPath;
      /** The same leaf with the new value. */
      newLeaf: PublicDataLeaf;
    }
  | ({ kind: 'insert' } & IndexedInsertionWitness<PublicDataLeaf>);

/**
 * A public data read: the slot's leaf (membership), or the low leaf that proves the slot is
 * absent (value 0): `low.slot < slot` and (`slot < low.nextSlot` or `low` is the largest).
 */
export type PublicDataReadWitness =
  | ({ kind: 'member' } & MembershipWitness<PublicDataLeaf>)
  | ({ kind: 'nonMember' } & MembershipWitness<PublicDataLeaf>);

/** Low-leaf witness for a nullifier non-membership check. */
export type NullifierNonMembershipWitness = MembershipWitness<NullifierLeaf>;

/** Result of a low-leaf lookup. */
export interface LowLeafResult<L> {
  /** Index of the leaf with the largest key <= the searched key. */
  index: number;
  leaf: L;
  /** True when that leaf's key equals the searched key. */
  alreadyPresent: boolean;
}

/** Synchronous append-only tree (the in-memory reference implements it). */
export interface AppendOnlyTree {
  readonly height: number;
  size(): number;
  root(): bigint;
  snapshot(): TreeSnapshot;
  appendLeaves(leaves: readonly bigint[]): void;
  /** Leaf at `index` (0 for an empty slot). */
  getLeaf(index: number): bigint;
  getSiblingPath(index: number): SiblingPath;
  /** Index of the first leaf equal to `leaf` at or after `from`, or undefined. */
  findLeafIndex(leaf: bigint, from?: number): number | undefined;
}

export interface NullifierTree {
  readonly height: number;
  size(): number;
  root(): bigint;
  snapshot(): TreeSnapshot;
  getSiblingPath(index: number): SiblingPath;
  getLeafPreimage(index: number): NullifierLeaf | undefined;
  findLowLeaf(value: bigint): LowLeafResult<NullifierLeaf>;
  /** Inserts one nullifier; throws "nullifier already exists" when present (and changes nothing). */
  insert(value: bigint): NullifierInsertionWitness;
  /** Index of the leaf holding `value`, or undefined. */
  findLeafIndex(value: bigint): number | undefined;
  /** Low-leaf witness that `value` is absent; throws when present. */
  getNonMembershipWitness(value: bigint): NullifierNonMembershipWitness;
}

export interface PublicDataTree {
  readonly height: number;
  size(): number;
  root(): bigint;
  snapshot(): TreeSnapshot;
  getSiblingPath(index: number): SiblingPath;
  getLeafPreimage(index: number): PublicDataLeaf | undefined;
  findLowLeaf(slot: bigint): LowLeafResult<PublicDataLeaf>;
  /** Value at `slot` (0 when absent). */
  read(slot: bigint): bigint;
  readWithWitness(slot: bigint): { value: bigint; witness: PublicDataReadWitness };
  /** Writes `value` at `slot`: updates the slot's leaf in place, or inserts a new leaf. */
  write(slot: bigint, value: bigint): PublicDataWriteWitness;
}
