// LMDB layout of the world state.
//
// Every stored item (a Merkle node, an indexed leaf's preimage, a sorted-key entry, an append-only
// value-index entry) is a versioned entry:
//   current:  key -> [block u32][payload]      the newest version and the block that wrote it
//   history:  key || (0xffffffff - block) -> payload   superseded versions (newest first)
//   changes:  block -> [(keyLen u8, key, prevBlock u32)]   what block B wrote and what it replaced
//   meta:     'latest', 'oldest', 'block:<n>' -> BlockMeta
// A read at block N takes the current version when it was written at or before N, else the
// newest history version at or before N. Committing block B moves the replaced versions to
// history (one LMDB transaction for the whole block); unwinding B restores them; removing history
// before F drops the versions superseded at or before F.
import { open, type Database, type RootDatabase } from 'lmdb';
import { closeStore } from '@quetzal/kernel/storage';
import { KIND_KEY } from './encoding.js';

export const NO_BLOCK = 0xffffffff;
/** Nodes at this level and above are cached in memory (at most size / 2^level per level). */
export const NODE_CACHE_MIN_LEVEL = 8;

export interface BlockMeta {
  blockNumber: number;
  /** Hex roots and sizes of the five trees, by TreeId. */
  roots: string[];
  sizes: number[];
  blockHash: string;
}

export interface StoreOptions {
  /** LMDB map size in bytes (virtual; default 64 GiB). */
  mapSize?: number;
  /** Skip fsync on commit (survives a process kill, not a power loss). */
  noSync?: boolean;
}

function u32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

/** LMDB map size of the world state: the most its data file can grow to. */
export const WORLD_STATE_MAP_SIZE = 64 * 2 ** 30;

export class TreeStore {
  private readonly root: RootDatabase;
  private readonly current: Database<Buffer, Buffer>;
  private readonly history: Database<Buffer, Buffer>;
  private readonly changes: Database<Buffer, number>;
  private readonly meta: Database<unknown, string>;

  constructor(
    readonly path: string,
    opts: StoreOptions = {},
  ) {
    this.root = open({
      path,
      maxDbs: 8,
      mapSize: opts.mapSize ?? WORLD_STATE_MAP_SIZE,
      noSync: opts.noSync ?? false,
      // Flush before another transaction may start: a kill -9 never leaves a half-visible block.
      overlappingSync: false,
      noMemInit: true,
    });
    this.current = this.root.openDB({ name: 'current', keyEncoding: 'binary', encoding: 'binary' });
    this.history = this.root.openDB({ name: 'history', keyEncoding: 'binary', encoding: 'binary' });
    this.changes = this.root.openDB({ name: 'changes', keyEncoding: 'uint32', encoding: 'binary' });
    this.meta = this.root.openDB({ name: 'meta', encoding: 'msgpack' });
  }

  // ---------- meta

  // latest/oldest are cached: this process is the only writer of its store.
  private latestCache: number | undefined | null = null;
  private oldestCache: number | null = null;

  latestBlock(): number | undefined {
    if (this.latestCache === null) this.latestCache = this.meta.get('latest') as number | undefined;
    return this.latestCache;
  }

  oldestBlock(): number {
    if (this.oldestCache === null) this.oldestCache = (this.meta.get('oldest') as number | undefined) ?? 0;
    return this.oldestCache;
  }

  private invalidate(): void {
    this.latestCache = null;
    this.oldestCache = null;
  }

  // ---------- node cache: current versions of the upper tree levels (few nodes, read by every path)

  /** cache[tree][level]: index -> [block, payload] of the current version (undefined: absent). */
  private readonly nodeCache: Map<number, [number, Buffer] | undefined>[][] = Array.from({ length: 8 }, () =>
    Array.from({ length: 64 }, () => new Map()),
  );

  /** A node's hash as of `block`, through the cache for levels >= NODE_CACHE_MIN_LEVEL. */
  getNodeAt(key: Buffer, tree: number, level: number, index: number, block: number): Buffer | undefined {
    if (level < NODE_CACHE_MIN_LEVEL) return this.getAt(key, block);
    const m = this.nodeCache[tree][level];
    let e = m.get(index);
    if (e === undefined && !m.has(index)) {
      const cur = this.current.getBinaryFast(key);
      e = cur === undefined ? undefined : [cur.readUInt32BE(0), Buffer.from(cur.subarray(4))];
      m.set(index, e);
    }
    if (e === undefined) return undefined;
    if (e[0] <= block) return e[1];
    return this.getAt(key, block);
  }

  private clearNodeCache(): void {
    for (const t of this.nodeCache) for (const m of t) m.clear();
  }

  blockMeta(block: number): BlockMeta | undefined {
    return this.meta.get(`block:${block}`) as BlockMeta | undefined;
  }

  // ---------- versioned reads

  /** The payload of `key` as of `block`, or undefined when absent then. */
  getAt(key: Buffer, block: number): Buffer | undefined {
    const cur = this.current.getBinaryFast(key);
    if (cur === undefined) return undefined;
    if (cur.readUInt32BE(0) <= block) return Buffer.from(cur.subarray(4));
    const start = Buffer.concat([key, u32(NO_BLOCK - block)]);
    for (const { key: hk, value } of this.history.getRange({ start, limit: 1 })) {
      if (hk.length === key.length + 4 && hk.subarray(0, key.length).equals(key)) return value;
    }
    return undefined;
  }

  /**
   * The sorted-key entry with the largest key <= `field` in tree `tree`, as of `block`:
   * [key field (32 bytes), payload].
   */
  floorKey(tree: number, kind: number, field: Uint8Array, block: number): { field: Buffer; payload: Buffer } | undefined {
    const start = Buffer.allocUnsafe(34);
    start[0] = tree;
    start[1] = kind;
    start.set(field, 2);
    const end = Buffer.from([tree, kind]);
    for (const { key, value } of this.current.getRange({ start, end, reverse: true })) {
      if (key.length !== 34 || key[0] !== tree || key[1] !== kind) break;
      if (value.readUInt32BE(0) <= block) return { field: key.subarray(2), payload: value.subarray(4) };
      // Sorted-key entries never change once written: an entry newer than `block` did not exist then.
    }
    return undefined;
  }

  // ---------- writes

  /**
   * Commits `entries` as block `block` in one transaction, with its meta. `block` must be
   * latest + 1 (or 0 on an empty store).
   */
  commitBlock(block: number, entries: Iterable<[Buffer, Buffer]>, meta: BlockMeta, extraMeta: Record<string, unknown> = {}): void {
    // versions are 32-bit (NO_BLOCK marks "none"): refuse rather than wrap. The protocol's trees hold blocks up to
    // MAX_L2_BLOCK_NUMBER = 2^32, so this store stops 2 blocks short of them.
    if (!Number.isInteger(block) || block < 0 || block >= NO_BLOCK) throw new RangeError(`world state: block ${block} does not fit its 32-bit block versions (at most ${NO_BLOCK - 1})`);
    const cached: [Buffer, Buffer][] = [];
    this.invalidate();
    try {
      this.commitTxn(block, entries, meta, extraMeta, cached);
    } catch (e) {
      this.clearNodeCache();
      throw e;
    } finally {
      this.invalidate();
    }
    for (const [key, payload] of cached) {
      const index = key.readUIntBE(2, 6);
      this.nodeCache[key[0]][key[1]].set(index, [block, payload]);
    }
  }

  private commitTxn(block: number, entries: Iterable<[Buffer, Buffer]>, meta: BlockMeta, extraMeta: Record<string, unknown>, cached: [Buffer, Buffer][]): void {
    this.root.transactionSync(() => {
      const latest = this.latestBlock();
      if ((latest === undefined && block !== 0) || (latest !== undefined && block !== latest + 1)) {
        throw new Error(`cannot commit block ${block}: latest is ${latest}`);
      }
      let changes = Buffer.allocUnsafe(1 << 16);
      let o = 0;
      for (const [key, payload] of entries) {
        const cur = this.current.getBinaryFast(key);
        let prev = NO_BLOCK;
        if (cur !== undefined) {
          prev = cur.readUInt32BE(0);
          const hk = Buffer.allocUnsafe(key.length + 4);
          key.copy(hk, 0);
          hk.writeUInt32BE(NO_BLOCK - prev, key.length);
          this.history.putSync(hk, Buffer.from(cur.subarray(4)));
        }
        const value = Buffer.allocUnsafe(4 + payload.length);
        value.writeUInt32BE(block, 0);
        value.set(payload, 4);
        this.current.putSync(key, value);
        if (key.length === 8 && key[1] >= NODE_CACHE_MIN_LEVEL && key[1] < 64) cached.push([key, Buffer.from(payload)]);
        if (o + key.length + 5 > changes.length) {
          const bigger = Buffer.allocUnsafe(changes.length * 2);
          changes.copy(bigger, 0, 0, o);
          changes = bigger;
        }
        changes[o] = key.length;
        key.copy(changes, o + 1);
        changes.writeUInt32BE(prev, o + 1 + key.length);
        o += key.length + 5;
      }
      this.changes.putSync(block, changes.subarray(0, o));
      this.meta.putSync(`block:${block}`, meta);
      this.meta.putSync('latest', block);
      for (const [k, v] of Object.entries(extraMeta)) this.meta.putSync(k, v);
    });
  }

  getMeta(key: string): unknown {
    return this.meta.get(key);
  }

  private *parseChanges(block: number): Generator<[Buffer, number]> {
    const blob = this.changes.getBinary(block);
    if (!blob) return;
    let o = 0;
    while (o < blob.length) {
      const len = blob[o];
      const key = blob.subarray(o + 1, o + 1 + len);
      const prev = blob.readUInt32BE(o + 1 + len);
      o += 1 + len + 4;
      yield [key, prev];
    }
  }

  /** Removes blocks after `target` (latest first), restoring what they replaced. */
  unwindTo(target: number): void {
    this.clearNodeCache();
    this.invalidate();
    this.root.transactionSync(() => {
      const latest = this.latestBlock();
      if (latest === undefined) throw new Error('empty world state');
      if (target < this.oldestBlock()) throw new Error(`cannot unwind to block ${target}: history before ${this.oldestBlock()} was removed`);
      for (let b = latest; b > target; b--) {
        for (const [key, prev] of this.parseChanges(b)) {
          if (prev === NO_BLOCK) {
            this.current.removeSync(key);
          } else {
            const hk = Buffer.concat([key, u32(NO_BLOCK - prev)]);
            const old = this.history.getBinary(hk);
            if (old === undefined) throw new Error(`world state corrupt: missing history for block ${prev}`);
            this.current.putSync(key, Buffer.concat([u32(prev), old]));
            this.history.removeSync(hk);
          }
        }
        this.changes.removeSync(b);
        this.meta.removeSync(`block:${b}`);
      }
      this.meta.putSync('latest', Math.min(target, latest));
    });
    this.invalidate();
  }

  /** Drops history so that blocks before `block` can no longer be read (nor unwound to). */
  removeHistoryBefore(block: number): void {
    this.invalidate();
    this.root.transactionSync(() => {
      const latest = this.latestBlock() ?? 0;
      const oldest = this.oldestBlock();
      const target = Math.min(block, latest);
      if (target <= oldest) return;
      for (let b = oldest + 1; b <= target; b++) {
        for (const [key, prev] of this.parseChanges(b)) {
          if (prev !== NO_BLOCK) this.history.removeSync(Buffer.concat([key, u32(NO_BLOCK - prev)]));
        }
        this.changes.removeSync(b);
      }
      for (let b = oldest; b < target; b++) this.meta.removeSync(`block:${b}`);
      this.meta.putSync('oldest', target);
    });
    this.invalidate();
  }

  /** Number of entries in each table (diagnostics, tests). */
  stats(): { current: number; history: number; changes: number } {
    return {
      current: this.current.getKeysCount(),
      history: this.history.getKeysCount(),
      changes: this.changes.getKeysCount(),
    };
  }

  async close(): Promise<void> {
    await closeStore(this.root, this.path);
  }
}

export { KIND_KEY };
