// The node's tx pool, persisted in LMDB so that no accepted tx is lost on a restart. Pending txs wait
// for a block; mined ones stay (a prover's tx provider fetches them by hash) until their block is
// proven, and go back to pending if their block leaves the chain (prune, L1 reorg), flagged for a
// re-validation before they are proposed again (revalidateReturned). Pending txs are
// bounded in count and bytes: past a bound the lowest fee goes first, and among equal fees the latest
// arrival (so a flood of cheap txs cannot push out older ones paying the same).
import { open, type Database, type RootDatabase } from 'lmdb';
import { closeStore } from '@quetzal/kernel/storage';
import { MinHeap } from '@quetzal/kernel/min-heap';
import { Tx } from '@quetzal/protocol/tx';
import { TxPoolFullError, type MinedTx, type ReturnedTxDropped, type TxPool as TxPoolApi, type TxPoolStats } from '@quetzal/protocol/tx-pool';
import { TxValidator, rejectionOf, type TxValidatorContext } from './tx-validator.js';

export type { MinedTx } from '@quetzal/protocol/tx-pool';

interface TxRecord {
  bytes: Uint8Array;
  seq: number;
  state: 'pending' | 'mined';
  /** Where it was mined: block number, that block's header hash (hex) and the L1 block of the proposal. */
  mined?: { block: number; headerHash: string; l1Block: number };
  /** Pending again after its block left the chain, and not re-validated since. */
  recheck?: boolean;
}

export interface TxPoolLimits {
  /** Most pending txs. */
  maxTxs: number;
  /** Most bytes of pending txs (serialized). */
  maxBytes: number;
}

export interface TxPoolOptions {
  limits?: TxPoolLimits;
  /** How `add` validates (absent: txs are taken as they come, for tests of the storage alone). */
  validation?: Omit<TxValidatorContext, 'pool'>;
  /** Told how many pending txs a tx evicted. */
  onEvicted?(count: number): void;
}

interface PendingEntry {
  tx: Tx;
  hash: bigint;
  seq: number;
  bytes: number;
}

const key = (hash: bigint) => hash.toString(16).padStart(64, '0');

/** Eviction order: lower fee first, then the later arrival. */
const evictsBefore = (a: PendingEntry, b: PendingEntry) =>
  a.tx.publicOutputs.transactionFee < b.tx.publicOutputs.transactionFee || (a.tx.publicOutputs.transactionFee === b.tx.publicOutputs.transactionFee && a.seq > b.seq);

export class TxPool implements TxPoolApi {
  private readonly root: RootDatabase;
  private readonly txs: Database<TxRecord, string>;
  private seq = 0;
  /** Pending txs in arrival order. */
  private readonly pendingTxs = new Map<bigint, PendingEntry>();
  private pendingBytes = 0;
  /** Pending entries in eviction order; entries no longer pending are skipped when they surface. */
  private readonly evictionOrder = new MinHeap<PendingEntry>(evictsBefore);
  /** Nullifiers of pending and mined txs -> tx hash (a mined tx's block may not be in the world state yet). */
  private readonly nullifiers = new Map<bigint, bigint>();
  /** Pending txs back from a block that left the chain, to re-validate before they are proposed again. */
  private readonly recheck = new Set<bigint>();
  /** Adds (and re-validations) run one at a time: validation reads the pool, and two txs sharing a nullifier must not both pass. */
  private adding: Promise<unknown> = Promise.resolve();
  private readonly validator?: TxValidator;

  constructor(
    private readonly path: string,
    private readonly options: TxPoolOptions = {},
  ) {
    this.root = open({ path, compression: false, maxDbs: 2 });
    this.txs = this.root.openDB({ name: 'txs' });
    if (options.validation) this.validator = new TxValidator({ ...options.validation, pool: this });
    const pending: [number, Tx][] = [];
    for (const { value } of this.txs.getRange()) {
      this.seq = Math.max(this.seq, value.seq + 1);
      const tx = Tx.fromBytes(value.bytes);
      if (value.state === 'pending') pending.push([value.seq, tx]);
      else this.indexNullifiers(tx);
      if (value.state === 'pending' && value.recheck) this.recheck.add(tx.hash());
    }
    for (const [seq, tx] of pending.sort((a, b) => a[0] - b[0])) this.track(tx, seq);
  }

  private indexNullifiers(tx: Tx): void {
    const hash = tx.hash();
    for (const n of tx.publicOutputs.nullifiers) if (n !== 0n) this.nullifiers.set(n, hash);
  }

  private track(tx: Tx, seq: number): void {
    const entry = { tx, hash: tx.hash(), seq, bytes: tx.byteLength() };
    this.pendingTxs.set(entry.hash, entry);
    this.pendingBytes += entry.bytes;
    this.indexNullifiers(tx);
    if (this.options.limits) {
      if (this.evictionOrder.size > 2 * this.pendingTxs.size + 1024) this.rebuildEvictionOrder();
      this.evictionOrder.push(entry);
    }
  }

  private rebuildEvictionOrder(): void {
    this.evictionOrder.clear();
    for (const e of this.pendingTxs.values()) this.evictionOrder.push(e);
  }

  private isCurrent(e: PendingEntry): boolean {
    return this.pendingTxs.get(e.hash) === e;
  }

  /** No longer pending; its nullifiers stay indexed unless it is forgotten. */
  private untrack(hash: bigint, forget = false): void {
    const entry = this.pendingTxs.get(hash);
    const tx = entry?.tx ?? (forget ? this.get(hash) : undefined);
    if (entry) {
      this.pendingTxs.delete(hash);
      this.pendingBytes -= entry.bytes;
    }
    this.recheck.delete(hash);
    if (forget && tx) for (const n of tx.publicOutputs.nullifiers) if (this.nullifiers.get(n) === hash) this.nullifiers.delete(n);
  }

  add(tx: Tx): Promise<void> {
    return this.serially(() => this.addNow(tx));
  }

  private serially<R>(work: () => Promise<R>): Promise<R> {
    const run = this.adding.then(work);
    this.adding = run.catch(() => undefined);
    return run;
  }

  private async addNow(tx: Tx): Promise<void> {
    const v = await this.validator?.validate(tx);
    if (v && !v.accepted) throw rejectionOf(tx, v);
    const bytes = tx.toBytes();
    const entry: PendingEntry = { tx, hash: tx.hash(), seq: this.seq, bytes: bytes.length };
    const evicted = this.evictionsFor(entry);
    await this.root.transaction(() => {
      for (const e of evicted) this.txs.remove(key(e.hash));
      this.txs.put(key(entry.hash), { bytes, seq: this.seq++, state: 'pending' });
    });
    for (const e of evicted) this.untrack(e.hash, true);
    this.track(tx, entry.seq);
    if (evicted.length) this.options.onEvicted?.(evicted.length);
  }

  /** The pending txs that must go for `entry` to fit the limits; throws TxPoolFullError when `entry` itself would go first. */
  private evictionsFor(entry: PendingEntry): PendingEntry[] {
    const limits = this.options.limits;
    if (!limits) return [];
    const hash = `0x${entry.hash.toString(16)}`;
    if (entry.bytes > limits.maxBytes) throw new TxPoolFullError(`tx ${hash} rejected: its ${entry.bytes} bytes exceed the pool's byte limit ${limits.maxBytes}`);
    let count = this.pendingTxs.size + 1;
    let bytes = this.pendingBytes + entry.bytes;
    const evicted: PendingEntry[] = [];
    while (count > limits.maxTxs || bytes > limits.maxBytes) {
      let lowest = this.evictionOrder.pop();
      while (lowest && !this.isCurrent(lowest)) lowest = this.evictionOrder.pop();
      if (!lowest || evictsBefore(entry, lowest)) {
        for (const e of evicted) this.evictionOrder.push(e);
        if (lowest) this.evictionOrder.push(lowest);
        const floor = evicted[0] ?? lowest;
        throw new TxPoolFullError(
          `tx ${hash} rejected: the pool is full (${limits.maxTxs} txs, ${limits.maxBytes} bytes) and its fee ${entry.tx.publicOutputs.transactionFee} does not outbid the lowest pending fee ${floor?.tx.publicOutputs.transactionFee ?? 'n/a'}`,
        );
      }
      evicted.push(lowest);
      count--;
      bytes -= lowest.bytes;
    }
    return evicted;
  }

  has(hash: bigint): boolean {
    return this.txs.doesExist(key(hash));
  }

  get(hash: bigint): Tx | undefined {
    const r = this.txs.get(key(hash));
    return r ? Tx.fromBytes(r.bytes) : undefined;
  }

  isPending(hash: bigint): boolean {
    return this.pendingTxs.has(hash);
  }

  txWithNullifier(nullifier: bigint): bigint | undefined {
    return this.nullifiers.get(nullifier);
  }

  pending(limit = Infinity): Tx[] {
    const out: Tx[] = [];
    for (const { tx } of this.pendingTxs.values()) {
      if (out.length >= limit) break;
      out.push(tx);
    }
    return out;
  }

  get pendingCount(): number {
    return this.pendingTxs.size;
  }

  stats(): TxPoolStats {
    return { pendingTxs: this.pendingTxs.size, pendingBytes: this.pendingBytes, minedTxs: this.nullifierHolders() - this.pendingTxs.size };
  }

  private nullifierHolders(): number {
    return new Set(this.nullifiers.values()).size;
  }

  async markMined(txs: readonly Tx[], at: { block: number; headerHash: bigint; l1Block: number }): Promise<void> {
    await this.root.transaction(() => {
      for (const tx of txs) {
        const k = key(tx.hash());
        const r = this.txs.get(k);
        if (r) this.txs.put(k, { ...r, state: 'mined', mined: { block: at.block, headerHash: at.headerHash.toString(16), l1Block: at.l1Block } });
      }
    });
    for (const tx of txs) this.untrack(tx.hash());
  }

  mined(): MinedTx[] {
    const out: MinedTx[] = [];
    for (const { key: k, value } of this.txs.getRange()) {
      if (value.state === 'mined' && value.mined) out.push({ hash: BigInt(`0x${k}`), block: value.mined.block, headerHash: BigInt(`0x${value.mined.headerHash}`), l1Block: value.mined.l1Block });
    }
    return out;
  }

  async returnToPending(hashes: readonly bigint[]): Promise<void> {
    const back: [number, Tx][] = [];
    await this.root.transaction(() => {
      for (const h of hashes) {
        const r = this.txs.get(key(h));
        if (r?.state !== 'mined') continue;
        this.txs.put(key(h), { bytes: r.bytes, seq: r.seq, state: 'pending', recheck: true });
        back.push([r.seq, Tx.fromBytes(r.bytes)]);
      }
    });
    for (const [seq, tx] of back.sort((a, b) => a[0] - b[0])) {
      this.track(tx, seq);
      this.recheck.add(tx.hash());
    }
  }

  /** Pending txs back from a block that left the chain and not re-validated since. */
  toRecheck(): Tx[] {
    return [...this.recheck].map((h) => this.pendingTxs.get(h)!.tx);
  }

  revalidateReturned(): Promise<ReturnedTxDropped[]> {
    return this.serially(async () => {
      const passed: bigint[] = [];
      const dropped: ReturnedTxDropped[] = [];
      for (const tx of this.toRecheck()) {
        const v = (await this.validator?.revalidate(tx)) ?? { accepted: true };
        if (v.accepted) passed.push(tx.hash());
        else dropped.push({ hash: tx.hash(), field: v.field, reason: v.reason });
      }
      if (dropped.length) await this.drop(dropped.map((d) => d.hash));
      await this.root.transaction(() => {
        for (const h of passed) {
          const r = this.txs.get(key(h));
          if (r?.recheck) this.txs.put(key(h), { bytes: r.bytes, seq: r.seq, state: r.state });
        }
      });
      for (const h of passed) this.recheck.delete(h);
      return dropped;
    });
  }

  async drop(hashes: readonly bigint[]): Promise<void> {
    for (const h of hashes) this.untrack(h, true);
    await this.root.transaction(() => {
      for (const h of hashes) this.txs.remove(key(h));
    });
  }

  async forgetMinedUpTo(block: number): Promise<number> {
    const done = this.mined().filter((m) => m.block <= block).map((m) => m.hash);
    if (done.length) await this.drop(done);
    return done.length;
  }

  async close(): Promise<void> {
    await this.adding;
    await closeStore(this.root, this.path);
  }
}
