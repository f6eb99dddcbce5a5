// Copy-on-write Merkle trees over the committed state at one block.
//
// A tree overlay keeps the nodes it changed in memory and reads everything else from LMDB at its
// base block. Hashing is lazy: writing a leaf marks it and its ancestors dirty (stopping at the
// first ancestor already dirty), and a node is hashed only when read (a sibling path, the root).
// So a batch of writes followed by one root costs one hash per changed node, and a sibling path
// costs only the hashes of the nodes it needs.
import type { Hasher } from './hasher.js';
import { KIND_KEY, KIND_LEAF, KIND_VALUE, bigintToBytes, bytesToBigint, leafKey, nodeKey, sortedKey } from './encoding.js';
import type { TreeStore } from './store.js';

/** Reads the committed state at `block`. */
export class BaseReader {
  constructor(
    readonly store: TreeStore,
    readonly block: number,
  ) {}
  node(tree: number, level: number, index: number): Uint8Array | undefined {
    return this.store.getNodeAt(nodeKey(tree, level, index), tree, level, index, this.block);
  }
  leaf(tree: number, index: number): Buffer | undefined {
    return this.store.getAt(leafKey(tree, index), this.block);
  }
  /** Largest stored key <= field: its field bytes and leaf index. */
  floorKey(tree: number, field: Uint8Array): { field: Buffer; index: number } | undefined {
    const r = this.store.floorKey(tree, KIND_KEY, field, this.block);
    return r && { field: r.field, index: r.payload.readUIntBE(0, 6) };
  }
  keyIndex(tree: number, field: Uint8Array): number | undefined {
    const p = this.store.getAt(sortedKey(tree, KIND_KEY, field), this.block);
    return p && p.readUIntBE(0, 6);
  }
  valueIndex(tree: number, value: Uint8Array): number | undefined {
    const p = this.store.getAt(sortedKey(tree, KIND_VALUE, value), this.block);
    return p && p.readUIntBE(0, 6);
  }
}

/** An empty base (before genesis). */
export class EmptyBase extends BaseReader {
  override node(): undefined {
    return undefined;
  }
  override leaf(): undefined {
    return undefined;
  }
  override floorKey(): undefined {
    return undefined;
  }
  override keyIndex(): undefined {
    return undefined;
  }
  override valueIndex(): undefined {
    return undefined;
  }
}

const zeroCache: Uint8Array[] = [new Uint8Array(32)];
export function zeroNodes(hasher: Hasher, height: number): Uint8Array[] {
  while (zeroCache.length <= height) {
    const z = zeroCache[zeroCache.length - 1];
    zeroCache.push(hasher.hash2(z, z));
  }
  return zeroCache.slice(0, height + 1);
}

function index6(i: number): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeUIntBE(i, 0, 6);
  return b;
}

export class MerkleOverlay {
  size: number;
  protected readonly nodes: Map<number, Uint8Array>[];
  protected readonly dirty: Set<number>[];
  protected readonly zeros: Uint8Array[];
  private readonly pow: number[];

  constructor(
    readonly tree: number,
    readonly height: number,
    readonly baseSize: number,
    protected readonly base: BaseReader,
    protected readonly hasher: Hasher,
  ) {
    this.size = baseSize;
    this.nodes = Array.from({ length: height + 1 }, () => new Map());
    this.dirty = Array.from({ length: height + 1 }, () => new Set());
    this.zeros = zeroNodes(hasher, height);
    this.pow = Array.from({ length: height + 1 }, (_, l) => 2 ** l);
  }

  /** Hash of a dirty leaf (indexed trees hash preimages lazily). */
  protected computeLeafHash(_index: number): Uint8Array {
    throw new Error('no dirty leaves in this tree');
  }

  node(level: number, index: number): Uint8Array {
    const first = index * this.pow[level];
    if (first >= this.size) return this.zeros[level];
    const d = this.dirty[level];
    if (d.size > 0 && d.has(index)) {
      const h =
        level === 0 ? this.computeLeafHash(index) : this.hasher.hash2(this.node(level - 1, 2 * index), this.node(level - 1, 2 * index + 1));
      this.nodes[level].set(index, h);
      d.delete(index);
      return h;
    }
    const o = this.nodes[level].get(index);
    if (o !== undefined) return o;
    if (first >= this.baseSize) return this.zeros[level];
    return this.baseNode(level, index) ?? this.zeros[level];
  }

  protected baseNode(level: number, index: number): Uint8Array | undefined {
    return this.base.node(this.tree, level, index);
  }

  /** Lowest level whose nodes are stored as node entries (indexed trees keep leaf hashes with the preimages). */
  protected get firstStoredLevel(): number {
    return 0;
  }

  protected markDirtyAbove(index: number): void {
    let i = index;
    for (let level = 1; level <= this.height; level++) {
      i = Math.floor(i / 2);
      const d = this.dirty[level];
      if (d.has(i)) return;
      d.add(i);
    }
  }

  protected setLeafHash(index: number, hash: Uint8Array): void {
    this.nodes[0].set(index, hash);
    this.dirty[0].delete(index);
    this.markDirtyAbove(index);
  }

  protected markLeafDirty(index: number): void {
    if (this.dirty[0].has(index)) return;
    this.dirty[0].add(index);
    this.markDirtyAbove(index);
  }

  /** Leaf preimage fields of a dirty leaf, for batch hashing (indexed trees). */
  protected leafFields(_index: number): bigint[] {
    throw new Error('no dirty leaves in this tree');
  }

  /** Computes every dirty node, level by level, one batch hash call per level. */
  flush(): void {
    const d0 = this.dirty[0];
    if (d0.size > 0) {
      const idx = [...d0];
      const arity = this.leafFields(idx[0]).length;
      const input = Buffer.allocUnsafe(32 * arity * idx.length);
      let o = 0;
      for (const i of idx) {
        for (const f of this.leafFields(i)) {
          input.write(f.toString(16).padStart(64, '0'), o, 'hex');
          o += 32;
        }
      }
      const out = Buffer.allocUnsafe(32 * idx.length);
      this.hasher.hashBatch(input, out, idx.length, arity);
      idx.forEach((i, k) => this.nodes[0].set(i, out.subarray(32 * k, 32 * k + 32)));
      d0.clear();
    }
    for (let level = 1; level <= this.height; level++) {
      const d = this.dirty[level];
      if (d.size === 0) continue;
      const idx = [...d];
      const input = Buffer.allocUnsafe(64 * idx.length);
      let o = 0;
      for (const i of idx) {
        input.set(this.node(level - 1, 2 * i), o);
        input.set(this.node(level - 1, 2 * i + 1), o + 32);
        o += 64;
      }
      const out = Buffer.allocUnsafe(32 * idx.length);
      this.hasher.hashBatch(input, out, idx.length, 2);
      const nodes = this.nodes[level];
      idx.forEach((i, k) => nodes.set(i, out.subarray(32 * k, 32 * k + 32)));
      d.clear();
    }
  }

  root(): Uint8Array {
    if (this.dirty[this.height].size > 0) this.flush();
    return this.node(this.height, 0);
  }

  isZero(level: number, node: Uint8Array): boolean {
    return node === this.zeros[level];
  }

  siblingZero(level: number): Uint8Array {
    return this.zeros[level];
  }

  siblingPath(index: number, fromLevel = 0): Uint8Array[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.pow[this.height]) {
      throw new RangeError(`leaf index ${index} out of range for height ${this.height}`);
    }
    const path: Uint8Array[] = [];
    let i = Math.floor(index / this.pow[fromLevel]);
    for (let level = fromLevel; level < this.height; level++) {
      path.push(this.node(level, i % 2 === 0 ? i + 1 : i - 1));
      i = Math.floor(i / 2);
    }
    return path;
  }

  /** Computes every dirty node; then yields the changed entries to persist. */
  *changedNodes(): Generator<[Buffer, Buffer]> {
    this.root();
    for (let level = this.firstStoredLevel; level <= this.height; level++) {
      for (const [index, h] of this.nodes[level]) yield [nodeKey(this.tree, level, index), h as Buffer];
    }
  }
}

export class AppendOnlyOverlay extends MerkleOverlay {
  /** value hex -> first index, for leaves appended here whose value the base does not hold. */
  private readonly newValues = new Map<string, number>();

  constructor(
    tree: number,
    height: number,
    baseSize: number,
    base: BaseReader,
    hasher: Hasher,
    private readonly indexValues: boolean,
  ) {
    super(tree, height, baseSize, base, hasher);
  }

  append(leaves: readonly bigint[]): void {
    if (this.size + leaves.length > 2 ** this.height) throw new RangeError(`tree ${this.tree} is full`);
    for (const leaf of leaves) {
      const bytes = bigintToBytes(leaf);
      if (this.indexValues) {
        const hex = bytes.toString('hex');
        if (!this.newValues.has(hex) && this.base.valueIndex(this.tree, bytes) === undefined) this.newValues.set(hex, this.size);
      }
      this.setLeafHash(this.size, bytes);
      this.size++;
    }
  }

  leaf(index: number): bigint | undefined {
    if (index < 0 || index >= this.size) return undefined;
    return bytesToBigint(this.node(0, index));
  }

  findValue(value: bigint): number | undefined {
    if (!this.indexValues) throw new Error(`tree ${this.tree} keeps no value index`);
    const bytes = bigintToBytes(value);
    return this.base.valueIndex(this.tree, bytes) ?? this.newValues.get(bytes.toString('hex'));
  }

  override *changedNodes(): Generator<[Buffer, Buffer]> {
    yield* super.changedNodes();
    for (const [hex, index] of this.newValues) yield [sortedKey(this.tree, KIND_VALUE, Buffer.from(hex, 'hex')), index6(index)];
  }
}

/** Sorted bigint keys -> leaf index, in chunks (fast inserts and floor queries). */
export class SortedKeys {
  private readonly chunks: { keys: bigint[]; idx: number[] }[] = [];
  private static readonly MAX = 512;
  count = 0;

  private chunkFor(k: bigint): number {
    // first chunk whose last key >= k
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[mid].keys;
      if (c[c.length - 1] >= k) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private static lowerBound(a: bigint[], k: bigint): number {
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Largest key <= k with its index. */
  floor(k: bigint): [bigint, number] | undefined {
    if (this.chunks.length === 0) return undefined;
    let ci = this.chunkFor(k);
    let c = this.chunks[ci];
    let p = SortedKeys.lowerBound(c.keys, k);
    if (p < c.keys.length && c.keys[p] === k) return [k, c.idx[p]];
    // the element before p
    if (p === 0) {
      if (ci === 0) return undefined;
      ci--;
      c = this.chunks[ci];
      p = c.keys.length;
    }
    return [c.keys[p - 1], c.idx[p - 1]];
  }

  insert(k: bigint, index: number): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [k], idx: [index] });
      return;
    }
    const ci = this.chunkFor(k);
    const c = this.chunks[ci];
    const p = SortedKeys.lowerBound(c.keys, k);
    c.keys.splice(p, 0, k);
    c.idx.splice(p, 0, index);
    if (c.keys.length > SortedKeys.MAX) {
      const h = c.keys.length >> 1;
      this.chunks.splice(ci + 1, 0, { keys: c.keys.splice(h), idx: c.idx.splice(h) });
    }
  }

  *entries(): Generator<[bigint, number]> {
    for (const c of this.chunks) for (let i = 0; i < c.keys.length; i++) yield [c.keys[i], c.idx[i]];
  }
}

/** One indexed leaf kind: fields in hash order; key at fields[0]. */
export interface IndexedLeafCodec<L> {
  arity: number;
  toFields(l: L): bigint[];
  fromFields(f: bigint[]): L;
  key(l: L): bigint;
  nextKey(l: L): bigint;
  nextIndex(l: L): bigint;
  withNext(l: L, nextIndex: bigint, nextKey: bigint): L;
  make(key: bigint, value: bigint, low: L): L;
  initial(): L;
}

export interface LowLeaf<L> {
  index: number;
  leaf: L;
  alreadyPresent: boolean;
}

export class IndexedOverlay<L> extends MerkleOverlay {
  private readonly leaves = new Map<number, L>();
  private readonly newKeys = new SortedKeys();

  constructor(
    tree: number,
    height: number,
    baseSize: number,
    base: BaseReader,
    hasher: Hasher,
    readonly codec: IndexedLeafCodec<L>,
  ) {
    super(tree, height, baseSize, base, hasher);
  }

  protected override computeLeafHash(index: number): Uint8Array {
    const l = this.leaves.get(index)!;
    return this.hasher.hashFields(this.codec.toFields(l).map(bigintToBytes));
  }

  protected override leafFields(index: number): bigint[] {
    return this.codec.toFields(this.leaves.get(index)!);
  }

  /** A leaf entry is [preimage fields][leaf hash]: the level-0 node lives there. */
  protected override baseNode(level: number, index: number): Uint8Array | undefined {
    if (level > 0) return this.base.node(this.tree, level, index);
    const b = this.base.leaf(this.tree, index);
    return b && b.subarray(32 * this.codec.arity);
  }

  protected override get firstStoredLevel(): number {
    return 1;
  }

  getLeaf(index: number): L | undefined {
    const o = this.leaves.get(index);
    if (o !== undefined) return o;
    if (index >= this.baseSize || index < 0) return undefined;
    const b = this.base.leaf(this.tree, index);
    if (!b) return undefined;
    const f: bigint[] = [];
    for (let i = 0; i < this.codec.arity; i++) f.push(bytesToBigint(b.subarray(32 * i, 32 * i + 32)));
    return this.codec.fromFields(f);
  }

  setLeaf(index: number, leaf: L): void {
    this.leaves.set(index, leaf);
    this.markLeafDirty(index);
  }

  findLow(key: bigint): LowLeaf<L> {
    const fromBase = this.base.floorKey(this.tree, bigintToBytes(key));
    const fromNew = this.newKeys.floor(key);
    let index: number;
    let k: bigint;
    if (fromBase && (!fromNew || bytesToBigint(fromBase.field) >= fromNew[0])) {
      index = fromBase.index;
      k = bytesToBigint(fromBase.field);
    } else if (fromNew) {
      [k, index] = fromNew;
    } else {
      throw new Error(`indexed tree ${this.tree} has no initial leaf`);
    }
    return { index, leaf: this.getLeaf(index)!, alreadyPresent: k === key };
  }

  findIndex(key: bigint): number | undefined {
    const f = this.newKeys.floor(key);
    if (f && f[0] === key) return f[1];
    return this.base.keyIndex(this.tree, bigintToBytes(key));
  }

  /** Appends a leaf without linking (genesis initial leaf). */
  appendRaw(leaf: L): void {
    const index = this.size;
    this.size++;
    this.newKeys.insert(this.codec.key(leaf), index);
    this.setLeaf(index, leaf);
  }

  /**
   * Inserts `key` after its low leaf (which must not hold `key`). With `witness`, returns the
   * low leaf path before the update and the new leaf path after it.
   */
  insertAfterLow(
    key: bigint,
    value: bigint,
    low: LowLeaf<L>,
    witness: boolean,
  ): { lowPath?: Uint8Array[]; newPath?: Uint8Array[]; newLeaf: L; newIndex: number } {
    const newIndex = this.size;
    if (newIndex >= 2 ** this.height) throw new RangeError(`tree ${this.tree} is full`);
    const lowPath = witness ? this.siblingPath(low.index) : undefined;
    const newLeaf = this.codec.make(key, value, low.leaf);
    this.setLeaf(low.index, this.codec.withNext(low.leaf, BigInt(newIndex), key));
    const newPath = witness ? this.siblingPath(newIndex) : undefined;
    this.size++;
    this.newKeys.insert(key, newIndex);
    this.setLeaf(newIndex, newLeaf);
    return { lowPath, newPath, newLeaf, newIndex };
  }

  override *changedNodes(): Generator<[Buffer, Buffer]> {
    yield* super.changedNodes();
    for (const [index, leaf] of this.leaves) {
      yield [leafKey(this.tree, index), Buffer.concat([...this.codec.toFields(leaf).map(bigintToBytes), this.nodes[0].get(index)!])];
    }
    for (const [k, index] of this.newKeys.entries()) yield [sortedKey(this.tree, KIND_KEY, bigintToBytes(k)), index6(index)];
  }
}

export { KIND_LEAF };
