// In-memory reference trees: the oracle for the LMDB world state and the source of the base
// circuit's witnesses in tests. Deliberately simple: every node is recomputed eagerly.
import { hashNode, hashNullifierLeaf, hashPublicDataLeaf, zeroHashes } from './hash.js';
import type {
  AppendOnlyTree,
  IndexedInsertionWitness,
  LowLeafResult,
  NullifierInsertionWitness,
  NullifierLeaf,
  NullifierNonMembershipWitness,
  NullifierTree,
  PublicDataLeaf,
  PublicDataReadWitness,
  PublicDataTree,
  PublicDataWriteWitness,
  SiblingPath,
  TreeSnapshot,
} from './types.js';

export const MAX_TREE_HEIGHT = 52;

/** A sparse Merkle tree of fixed height with leaf hashes set by index. */
export class SparseMerkleTree {
  private readonly zeros: bigint[];
  /** nodes[level] maps an index to its hash; level 0 = leaves, level `height` = root. */
  private readonly nodes: Map<number, bigint>[];

  constructor(readonly height: number) {
    if (!Number.isInteger(height) || height < 1 || height > MAX_TREE_HEIGHT) {
      throw new RangeError(`tree height must be an integer in 1..${MAX_TREE_HEIGHT}`);
    }
    this.zeros = zeroHashes(height);
    this.nodes = Array.from({ length: height + 1 }, () => new Map());
  }

  capacity(): number {
    return 2 ** this.height;
  }

  node(level: number, index: number): bigint {
    return this.nodes[level].get(index) ?? this.zeros[level];
  }

  root(): bigint {
    return this.node(this.height, 0);
  }

  getLeafHash(index: number): bigint {
    return this.node(0, index);
  }

  setLeafHash(index: number, hash: bigint): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity()) {
      throw new RangeError(`leaf index ${index} out of range for height ${this.height}`);
    }
    this.nodes[0].set(index, hash);
    let i = index;
    for (let level = 1; level <= this.height; level++) {
      i = Math.floor(i / 2);
      this.nodes[level].set(i, hashNode(this.node(level - 1, 2 * i), this.node(level - 1, 2 * i + 1)));
    }
  }

  getSiblingPath(index: number): SiblingPath {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity()) {
      throw new RangeError(`leaf index ${index} out of range for height ${this.height}`);
    }
    const path: bigint[] = [];
    let i = index;
    for (let level = 0; level < this.height; level++) {
      path.push(this.node(level, i % 2 === 0 ? i + 1 : i - 1)); // not `i ^ 1`: indices exceed 2^31
      i = Math.floor(i / 2);
    }
    return path;
  }

  /** Sibling path of the subtree of height `subtreeHeight` holding `index` (siblings from that level up). */
  getSubtreeSiblingPath(index: number, subtreeHeight: number): SiblingPath {
    return this.getSiblingPath(index).slice(subtreeHeight);
  }

  clone(): SparseMerkleTree {
    const t = new SparseMerkleTree(this.height);
    this.nodes.forEach((m, level) => m.forEach((v, k) => t.nodes[level].set(k, v)));
    return t;
  }
}

/** A tree hashed into a sparse Merkle tree. */
abstract class MerkleBackedTree {
  protected readonly tree: SparseMerkleTree;

  constructor(readonly height: number) {
    this.tree = new SparseMerkleTree(height);
  }

  abstract size(): number;

  root(): bigint {
    return this.tree.root();
  }

  snapshot(): TreeSnapshot {
    return { root: this.root(), nextAvailableLeafIndex: this.size() };
  }

  getSiblingPath(index: number): SiblingPath {
    return this.tree.getSiblingPath(index);
  }
}

/** A tree of leaves kept in a list. */
abstract class LeafListTree<L> extends MerkleBackedTree {
  protected leaves: L[] = [];

  size(): number {
    return this.leaves.length;
  }
}

export class ReferenceAppendOnlyTree extends MerkleBackedTree implements AppendOnlyTree {
  /** Appended leaves by index, in index order (a Map, not a list: the tree may hold more than 2^32 leaves). */
  private readonly leaves = new Map<number, bigint>();
  private next = 0;

  size(): number {
    return this.next;
  }

  appendLeaves(leaves: readonly bigint[]): void {
    if (this.next + leaves.length > this.tree.capacity()) throw new RangeError('tree is full');
    for (const leaf of leaves) {
      this.tree.setLeafHash(this.next, leaf);
      this.leaves.set(this.next++, leaf);
    }
  }

  /**
   * The same as appending `count` zero leaves, without visiting them (a zero leaf changes no node):
   * lets a test seed a tree past indices no test could reach leaf by leaf.
   */
  appendEmptyLeaves(count: number): void {
    if (!Number.isInteger(count) || count < 0 || this.next + count > this.tree.capacity()) throw new RangeError(`cannot append ${count} empty leaves`);
    this.next += count;
  }

  getLeaf(index: number): bigint {
    return this.leaves.get(index) ?? 0n;
  }

  /**
   * Sibling path of the aligned subtree of height `subtreeHeight` that starts at the next free
   * index (what a circuit needs to append 2^subtreeHeight leaves at once).
   */
  getSubtreeSiblingPath(subtreeHeight: number): SiblingPath {
    const size = this.next;
    if (size % 2 ** subtreeHeight !== 0) throw new RangeError(`next index ${size} is not aligned to 2^${subtreeHeight}`);
    return this.tree.getSubtreeSiblingPath(size, subtreeHeight);
  }

  /** First index >= `from` of an appended leaf (not of one appendEmptyLeaves skipped). */
  findLeafIndex(leaf: bigint, from = 0): number | undefined {
    for (const [i, v] of this.leaves) if (i >= from && v === leaf) return i;
    return undefined;
  }

  clone(): ReferenceAppendOnlyTree {
    const t = new ReferenceAppendOnlyTree(this.height);
    (t as unknown as { tree: SparseMerkleTree }).tree = this.tree.clone();
    for (const [i, v] of this.leaves) t.leaves.set(i, v);
    t.next = this.next;
    return t;
  }
}

/** Adapter between the generic indexed tree and one leaf kind. */
interface LeafKind<L> {
  key(l: L): bigint;
  nextKey(l: L): bigint;
  nextIndex(l: L): bigint;
  withNext(l: L, nextIndex: bigint, nextKey: bigint): L;
  /** New leaf for `key` inserted after `low`. */
  make(key: bigint, value: bigint, low: L): L;
  hash(l: L): bigint;
  initial(): L;
}

export const nullifierLeafKind: LeafKind<NullifierLeaf> = {
  key: (l) => l.value,
  nextKey: (l) => l.nextValue,
  nextIndex: (l) => l.nextIndex,
  withNext: (l, nextIndex, nextValue) => ({ value: l.value, nextIndex, nextValue }),
  make: (key, _value, low) => ({ value: key, nextIndex: low.nextIndex, nextValue: low.nextValue }),
  hash: hashNullifierLeaf,
  initial: () => ({ value: 0n, nextIndex: 0n, nextValue: 0n }),
};

export const publicDataLeafKind: LeafKind<PublicDataLeaf> = {
  key: (l) => l.slot,
  nextKey: (l) => l.nextSlot,
  nextIndex: (l) => l.nextIndex,
  withNext: (l, nextIndex, nextSlot) => ({ slot: l.slot, value: l.value, nextIndex, nextSlot }),
  make: (slot, value, low) => ({ slot, value, nextIndex: low.nextIndex, nextSlot: low.nextSlot }),
  hash: hashPublicDataLeaf,
  initial: () => ({ slot: 0n, value: 0n, nextIndex: 0n, nextSlot: 0n }),
};

class ReferenceIndexedTree<L> extends LeafListTree<L> {
  constructor(
    height: number,
    protected readonly kind: LeafKind<L>,
  ) {
    super(height);
    this.setLeaf(0, kind.initial());
  }

  protected setLeaf(index: number, leaf: L): void {
    this.leaves[index] = leaf;
    this.tree.setLeafHash(index, this.kind.hash(leaf));
  }

  getLeafPreimage(index: number): L | undefined {
    const l = this.leaves[index];
    return l === undefined ? undefined : { ...l };
  }

  /** Linear scan: the leaf with the largest key <= `key`. */
  findLowLeaf(key: bigint): LowLeafResult<L> {
    let best = 0;
    for (let i = 1; i < this.leaves.length; i++) {
      const k = this.kind.key(this.leaves[i]);
      if (k <= key && k > this.kind.key(this.leaves[best])) best = i;
    }
    const leaf = this.leaves[best];
    return { index: best, leaf: { ...leaf }, alreadyPresent: this.kind.key(leaf) === key };
  }

  findLeafIndex(key: bigint): number | undefined {
    const low = this.findLowLeaf(key);
    return low.alreadyPresent ? low.index : undefined;
  }

  protected insertNew(key: bigint, value: bigint, low: LowLeafResult<L>): IndexedInsertionWitness<L> {
    const newIndex = this.leaves.length;
    if (newIndex >= this.tree.capacity()) throw new RangeError('tree is full');
    const lowLeafSiblingPath = this.tree.getSiblingPath(low.index);
    const newLeaf = this.kind.make(key, value, low.leaf);
    this.setLeaf(low.index, this.kind.withNext(low.leaf, BigInt(newIndex), key));
    const newLeafSiblingPath = this.tree.getSiblingPath(newIndex);
    this.setLeaf(newIndex, newLeaf);
    return {
      lowLeaf: low.leaf,
      lowLeafIndex: low.index,
      lowLeafSiblingPath,
      newLeaf: { ...newLeaf },
      newLeafIndex: newIndex,
      newLeafSiblingPath,
    };
  }

  protected cloneInto<T extends ReferenceIndexedTree<L>>(t: T): T {
    (t as unknown as { tree: SparseMerkleTree }).tree = this.tree.clone();
    t.leaves = this.leaves.map((l) => ({ ...l }));
    return t;
  }
}

export class ReferenceNullifierTree extends ReferenceIndexedTree<NullifierLeaf> implements NullifierTree {
  constructor(height: number) {
    super(height, nullifierLeafKind);
  }

  insert(value: bigint): NullifierInsertionWitness {
    const low = this.findLowLeaf(value);
    if (low.alreadyPresent) throw new Error(`nullifier already exists: ${value}`);
    return this.insertNew(value, 0n, low);
  }

  getNonMembershipWitness(value: bigint): NullifierNonMembershipWitness {
    const low = this.findLowLeaf(value);
    if (low.alreadyPresent) throw new Error(`nullifier already exists: ${value}`);
    return { leaf: low.leaf, leafIndex: low.index, siblingPath: this.getSiblingPath(low.index) };
  }

  clone(): ReferenceNullifierTree {
    return this.cloneInto(new ReferenceNullifierTree(this.height));
  }
}

export class ReferencePublicDataTree extends ReferenceIndexedTree<PublicDataLeaf> implements PublicDataTree {
  constructor(height: number) {
    super(height, publicDataLeafKind);
  }

  read(slot: bigint): bigint {
    const low = this.findLowLeaf(slot);
    return low.alreadyPresent ? low.leaf.value : 0n;
  }

  readWithWitness(slot: bigint): { value: bigint; witness: PublicDataReadWitness } {
    const low = this.findLowLeaf(slot);
    const w = { leaf: low.leaf, leafIndex: low.index, siblingPath: this.getSiblingPath(low.index) };
    return low.alreadyPresent
      ? { value: low.leaf.value, witness: { kind: 'member', ...w } }
      : { value: 0n, witness: { kind: 'nonMember', ...w } };
  }

  write(slot: bigint, value: bigint): PublicDataWriteWitness {
    if (slot === 0n) throw new RangeError('public data slot 0 is reserved');
    const low = this.findLowLeaf(slot);
    if (low.alreadyPresent) {
      const siblingPath = this.getSiblingPath(low.index);
      const newLeaf = { ...low.leaf, value };
      this.setLeaf(low.index, newLeaf);
      return { kind: 'update', leaf: low.leaf, leafIndex: low.index, siblingPath, newLeaf: { ...newLeaf } };
    }
    return { kind: 'insert', ...this.insertNew(slot, value, low) };
  }

  clone(): ReferencePublicDataTree {
    return this.cloneInto(new ReferencePublicDataTree(this.height));
  }
}
