// A view of the five trees at one block: read-only (a committed snapshot) or writable (a fork).
import {
  TreeId,
  TREE_NAMES,
  type AppendOnlyTreeId,
  type LowLeafResult,
  type NullifierInsertionWitness,
  type NullifierLeaf,
  type NullifierNonMembershipWitness,
  type PublicDataLeaf,
  type PublicDataReadWitness,
  type PublicDataWriteWitness,
  type SiblingPath,
  type TreeSnapshot,
} from '@quetzal/protocol/trees/types';
import type { TreeInfo, WorldStateFork, WorldStateReference } from '@quetzal/protocol/world-state';
import { bytesToBigint, MAX_HEIGHT } from './encoding.js';
import type { Hasher } from './hasher.js';
import { AppendOnlyOverlay, BaseReader, IndexedOverlay, type IndexedLeafCodec, type LowLeaf, type MerkleOverlay } from './overlay.js';

export const nullifierCodec: IndexedLeafCodec<NullifierLeaf> = {
  arity: 3,
  toFields: (l) => [l.value, l.nextIndex, l.nextValue],
  fromFields: ([value, nextIndex, nextValue]) => ({ value, nextIndex, nextValue }),
  key: (l) => l.value,
  nextKey: (l) => l.nextValue,
  nextIndex: (l) => l.nextIndex,
  withNext: (l, nextIndex, nextValue) => ({ value: l.value, nextIndex, nextValue }),
  make: (value, _v, low) => ({ value, nextIndex: low.nextIndex, nextValue: low.nextValue }),
  initial: () => ({ value: 0n, nextIndex: 0n, nextValue: 0n }),
};

export const publicDataCodec: IndexedLeafCodec<PublicDataLeaf> = {
  arity: 4,
  toFields: (l) => [l.slot, l.value, l.nextIndex, l.nextSlot],
  fromFields: ([slot, value, nextIndex, nextSlot]) => ({ slot, value, nextIndex, nextSlot }),
  key: (l) => l.slot,
  nextKey: (l) => l.nextSlot,
  nextIndex: (l) => l.nextIndex,
  withNext: (l, nextIndex, nextSlot) => ({ slot: l.slot, value: l.value, nextIndex, nextSlot }),
  make: (slot, value, low) => ({ slot, value, nextIndex: low.nextIndex, nextSlot: low.nextSlot }),
  initial: () => ({ slot: 0n, value: 0n, nextIndex: 0n, nextSlot: 0n }),
};

export type TreeHeights = Record<TreeId, number>;

const zeroSet = new Set<Uint8Array>();
const zeroValue = new Map<Uint8Array, bigint>();
/** Path nodes as Fields; zero-subtree nodes (shared objects) convert once. */
function toBig(p: Uint8Array[]): SiblingPath {
  return p.map((n) => {
    if (zeroSet.has(n)) return zeroValue.get(n)!;
    return bytesToBigint(n);
  });
}
function registerZeros(t: MerkleOverlay): void {
  if (zeroSet.has(t.siblingZero(t.height))) return;
  for (let l = 0; l <= t.height; l++) {
    const z = t.siblingZero(l);
    if (!zeroSet.has(z)) {
      zeroSet.add(z);
      zeroValue.set(z, bytesToBigint(z));
    }
  }
}



export interface ViewOptions {
  readOnly: boolean;
  /** Throws when the view's block is no longer readable (unwound or pruned). */
  checkAlive?: () => void;
  onClose?: () => void;
}

export class WorldStateView implements WorldStateFork {
  readonly l1ToL2: AppendOnlyOverlay;
  readonly noteHash: AppendOnlyOverlay;
  readonly nullifier: IndexedOverlay<NullifierLeaf>;
  readonly publicData: IndexedOverlay<PublicDataLeaf>;
  readonly archive: AppendOnlyOverlay;
  private closed = false;

  constructor(
    readonly blockNumber: number,
    base: BaseReader,
    sizes: readonly number[],
    readonly heights: TreeHeights,
    hasher: Hasher,
    private readonly opts: ViewOptions,
  ) {
    for (const h of Object.values(heights)) if (h < 1 || h > MAX_HEIGHT) throw new RangeError(`tree heights must be 1..${MAX_HEIGHT}`);
    this.l1ToL2 = new AppendOnlyOverlay(TreeId.L1_TO_L2_MESSAGES, heights[TreeId.L1_TO_L2_MESSAGES], sizes[0], base, hasher, true);
    this.noteHash = new AppendOnlyOverlay(TreeId.NOTE_HASH, heights[TreeId.NOTE_HASH], sizes[1], base, hasher, false);
    this.nullifier = new IndexedOverlay(TreeId.NULLIFIER, heights[TreeId.NULLIFIER], sizes[2], base, hasher, nullifierCodec);
    this.publicData = new IndexedOverlay(TreeId.PUBLIC_DATA, heights[TreeId.PUBLIC_DATA], sizes[3], base, hasher, publicDataCodec);
    this.archive = new AppendOnlyOverlay(TreeId.ARCHIVE, heights[TreeId.ARCHIVE], sizes[4], base, hasher, true);
    registerZeros(this.noteHash.height >= this.nullifier.height ? this.noteHash : this.nullifier);
    for (const t of [this.l1ToL2, this.publicData, this.archive]) registerZeros(t);
  }

  tree(id: TreeId): MerkleOverlay {
    switch (id) {
      case TreeId.L1_TO_L2_MESSAGES:
        return this.l1ToL2;
      case TreeId.NOTE_HASH:
        return this.noteHash;
      case TreeId.NULLIFIER:
        return this.nullifier;
      case TreeId.PUBLIC_DATA:
        return this.publicData;
      case TreeId.ARCHIVE:
        return this.archive;
      default:
        throw new RangeError(`unknown tree ${id}`);
    }
  }

  private appendOnly(id: TreeId): AppendOnlyOverlay {
    const t = this.tree(id);
    if (!(t instanceof AppendOnlyOverlay)) throw new TypeError(`${TREE_NAMES[id]} is not an append-only tree`);
    return t;
  }

  private check(write = false): void {
    if (this.closed) throw new Error('world state fork is closed');
    if (write && this.opts.readOnly) throw new Error('world state view is read-only');
    this.opts.checkAlive?.();
  }

  // ---------- synchronous core

  snapshotSync(id: TreeId): TreeSnapshot {
    const t = this.tree(id);
    return { root: bytesToBigint(t.root()), nextAvailableLeafIndex: t.size };
  }

  stateReferenceSync(): WorldStateReference {
    return {
      l1ToL2MessageTree: this.snapshotSync(TreeId.L1_TO_L2_MESSAGES),
      noteHashTree: this.snapshotSync(TreeId.NOTE_HASH),
      nullifierTree: this.snapshotSync(TreeId.NULLIFIER),
      publicDataTree: this.snapshotSync(TreeId.PUBLIC_DATA),
      archive: this.snapshotSync(TreeId.ARCHIVE),
    };
  }

  siblingPathSync(id: TreeId, index: number): SiblingPath {
    return toBig(this.tree(id).siblingPath(index));
  }

  /**
   * With `atomic`, checks every value first so that a refused batch inserts nothing; without, the
   * caller discards the view on error (block commit).
   */
  insertNullifiersSync(values: readonly bigint[], witness: boolean, atomic = true): NullifierInsertionWitness[] {
    if (atomic) {
      const seen = new Set<bigint>();
      for (const v of values) {
        if (v === 0n || seen.has(v) || this.nullifier.findIndex(v) !== undefined) throw new Error(`nullifier already exists: ${v}`);
        seen.add(v);
      }
    }
    const out: NullifierInsertionWitness[] = [];
    for (const v of values) {
      const low = this.nullifier.findLow(v);
      if (low.alreadyPresent) throw new Error(`nullifier already exists: ${v}`);
      const r = this.nullifier.insertAfterLow(v, 0n, low, witness);
      if (witness) {
        out.push({
          lowLeaf: low.leaf,
          lowLeafIndex: low.index,
          lowLeafSiblingPath: toBig(r.lowPath!),
          newLeaf: r.newLeaf,
          newLeafIndex: r.newIndex,
          newLeafSiblingPath: toBig(r.newPath!),
        });
      }
    }
    return out;
  }

  writePublicDataSync(slot: bigint, value: bigint, witness: boolean): PublicDataWriteWitness | undefined {
    if (slot === 0n) throw new RangeError('public data slot 0 is reserved');
    const low = this.publicData.findLow(slot);
    if (low.alreadyPresent) {
      const siblingPath = witness ? toBig(this.publicData.siblingPath(low.index)) : [];
      const newLeaf = { ...low.leaf, value };
      this.publicData.setLeaf(low.index, newLeaf);
      return witness ? { kind: 'update', leaf: low.leaf, leafIndex: low.index, siblingPath, newLeaf: { ...newLeaf } } : undefined;
    }
    const r = this.publicData.insertAfterLow(slot, value, low, witness);
    if (!witness) return undefined;
    return {
      kind: 'insert',
      lowLeaf: low.leaf,
      lowLeafIndex: low.index,
      lowLeafSiblingPath: toBig(r.lowPath!),
      newLeaf: r.newLeaf,
      newLeafIndex: r.newIndex,
      newLeafSiblingPath: toBig(r.newPath!),
    };
  }

  readPublicDataSync(slot: bigint): { value: bigint; low: LowLeaf<PublicDataLeaf> } {
    const low = this.publicData.findLow(slot);
    return { value: low.alreadyPresent ? low.leaf.value : 0n, low };
  }

  /** Every entry this view changed (computes pending hashes first). */
  *changedEntries(): Generator<[Buffer, Buffer]> {
    yield* this.l1ToL2.changedNodes();
    yield* this.noteHash.changedNodes();
    yield* this.nullifier.changedNodes();
    yield* this.publicData.changedNodes();
    yield* this.archive.changedNodes();
  }

  sizes(): number[] {
    return [this.l1ToL2.size, this.noteHash.size, this.nullifier.size, this.publicData.size, this.archive.size];
  }

  // ---------- WorldStateReader

  async getTreeInfo(tree: TreeId): Promise<TreeInfo> {
    this.check();
    return { treeId: tree, height: this.heights[tree], ...this.snapshotSync(tree) };
  }

  async getStateReference(): Promise<WorldStateReference> {
    this.check();
    return this.stateReferenceSync();
  }

  async getSiblingPath(tree: TreeId, leafIndex: number): Promise<SiblingPath> {
    this.check();
    return this.siblingPathSync(tree, leafIndex);
  }

  async getLeaf(tree: AppendOnlyTreeId, leafIndex: number): Promise<bigint | undefined> {
    this.check();
    return this.appendOnly(tree).leaf(leafIndex);
  }

  async findLeafIndex(tree: TreeId, leaf: bigint): Promise<number | undefined> {
    this.check();
    if (tree === TreeId.NULLIFIER) return this.nullifier.findIndex(leaf);
    if (tree === TreeId.PUBLIC_DATA) return this.publicData.findIndex(leaf);
    return this.appendOnly(tree).findValue(leaf);
  }

  async getNullifierLeaf(leafIndex: number): Promise<NullifierLeaf | undefined> {
    this.check();
    const l = this.nullifier.getLeaf(leafIndex);
    return l && { ...l };
  }

  async getPublicDataLeaf(leafIndex: number): Promise<PublicDataLeaf | undefined> {
    this.check();
    const l = this.publicData.getLeaf(leafIndex);
    return l && { ...l };
  }

  async findLowNullifier(value: bigint): Promise<LowLeafResult<NullifierLeaf>> {
    this.check();
    const l = this.nullifier.findLow(value);
    return { index: l.index, leaf: { ...l.leaf }, alreadyPresent: l.alreadyPresent };
  }

  async findLowPublicData(slot: bigint): Promise<LowLeafResult<PublicDataLeaf>> {
    this.check();
    const l = this.publicData.findLow(slot);
    return { index: l.index, leaf: { ...l.leaf }, alreadyPresent: l.alreadyPresent };
  }

  async getNullifierNonMembershipWitness(value: bigint): Promise<NullifierNonMembershipWitness> {
    this.check();
    const low = this.nullifier.findLow(value);
    if (low.alreadyPresent) throw new Error(`nullifier already exists: ${value}`);
    return { leaf: { ...low.leaf }, leafIndex: low.index, siblingPath: this.siblingPathSync(TreeId.NULLIFIER, low.index) };
  }

  async readPublicData(slot: bigint): Promise<bigint> {
    this.check();
    return this.readPublicDataSync(slot).value;
  }

  async readPublicDataWithWitness(slot: bigint): Promise<{ value: bigint; witness: PublicDataReadWitness }> {
    this.check();
    const { value, low } = this.readPublicDataSync(slot);
    const w = { leaf: { ...low.leaf }, leafIndex: low.index, siblingPath: this.siblingPathSync(TreeId.PUBLIC_DATA, low.index) };
    return { value, witness: low.alreadyPresent ? { kind: 'member', ...w } : { kind: 'nonMember', ...w } };
  }

  // ---------- WorldStateFork

  async appendLeaves(tree: AppendOnlyTreeId, leaves: readonly bigint[]): Promise<void> {
    this.check(true);
    this.appendOnly(tree).append(leaves);
  }

  async getSubtreeSiblingPath(tree: AppendOnlyTreeId, subtreeHeight: number): Promise<SiblingPath> {
    this.check();
    const t = this.appendOnly(tree);
    if (t.size % 2 ** subtreeHeight !== 0) throw new RangeError(`next index ${t.size} is not aligned to 2^${subtreeHeight}`);
    return toBig(t.siblingPath(t.size, subtreeHeight));
  }

  async insertNullifiers(values: readonly bigint[]): Promise<NullifierInsertionWitness[]> {
    this.check(true);
    return this.insertNullifiersSync(values, true);
  }

  async insertNullifiersNoWitness(values: readonly bigint[]): Promise<void> {
    this.check(true);
    this.insertNullifiersSync(values, false);
  }

  async writePublicData(slot: bigint, value: bigint): Promise<PublicDataWriteWitness> {
    this.check(true);
    return this.writePublicDataSync(slot, value, true)!;
  }

  async writePublicDataNoWitness(writes: readonly { slot: bigint; value: bigint }[]): Promise<void> {
    this.check(true);
    for (const w of writes) this.writePublicDataSync(w.slot, w.value, false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.opts.onClose?.();
  }
}
