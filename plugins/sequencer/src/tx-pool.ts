// The sequencer's tx pool, persisted in LMDB so that no accepted tx is lost on a restart. Pending
// txs wait for a block; mined ones stay (a prover's tx provider fetches them by hash) and go back
// to pending if their block leaves the chain (prune, L1 reorg), flagged for a re-check before they are
// proposed again.
import { open, type Database, type RootDatabase } from 'lmdb';
import { Tx } from '@quetzal/protocol/tx';

interface TxRecord {
  bytes: Uint8Array;
  seq: number;
  state: 'pending' | 'mined';
  /** Where it was mined: block number, that block's header hash (hex) and the L1 block of the proposal. */
  mined?: { block: number; headerHash: string; l1Block: number };
  /** Pending again after its block left the chain, and not re-validated since. */
  recheck?: boolean;
}

export interface MinedTx {
  hash: bigint;
  block: number;
  headerHash: bigint;
  l1Block: number;
}

const key = (hash: bigint) => hash.toString(16).padStart(64, '0');

export class TxPool {
  private readonly root: RootDatabase;
  private readonly txs: Database<TxRecord, string>;
  private seq = 0;
  /** Pending txs in arrival order. */
  private readonly pendingTxs = new Map<bigint, Tx>();
  /** Nullifiers of pending and mined txs -> tx hash (a mined tx's block may not be in the world state yet). */
  private readonly nullifiers = new Map<bigint, bigint>();
  /** Pending txs to re-validate before they are proposed again. */
  private readonly recheck = new Set<bigint>();

  constructor(path: string) {
    this.root = open({ path, compression: false, maxDbs: 2 });
    this.txs = this.root.openDB({ name: 'txs' });
    const pending: [number, Tx][] = [];
    for (const { value } of this.txs.getRange()) {
      this.seq = Math.max(this.seq, value.seq + 1);
      const tx = Tx.fromBytes(value.bytes);
      if (value.state === 'pending') pending.push([value.seq, tx]);
      else this.indexNullifiers(tx);
      if (value.state === 'pending' && value.recheck) this.recheck.add(tx.hash());
    }
    for (const [, tx] of pending.sort((a, b) => a[0] - b[0])) this.track(tx);
  }

  private indexNullifiers(tx: Tx): void {
    const hash = tx.hash();
    for (const n of tx.publicOutputs.nullifiers) if (n !== 0n) this.nullifiers.set(n, hash);
  }

  private track(tx: Tx): void {
    this.pendingTxs.set(tx.hash(), tx);
    this.indexNullifiers(tx);
  }

  /** No longer pending; its nullifiers stay indexed unless it is forgotten. */
  private untrack(hash: bigint, forget = false): void {
    const tx = this.pendingTxs.get(hash) ?? (forget ? this.get(hash) : undefined);
    this.pendingTxs.delete(hash);
    this.recheck.delete(hash);
    if (forget && tx) for (const n of tx.publicOutputs.nullifiers) if (this.nullifiers.get(n) === hash) this.nullifiers.delete(n);
  }

  async add(tx: Tx): Promise<void> {
    await this.txs.put(key(tx.hash()), { bytes: tx.toBytes(), seq: this.seq++, state: 'pending' });
    this.track(tx);
  }

  has(hash: bigint): boolean {
    return this.txs.doesExist(key(hash));
  }

  get(hash: bigint): Tx | undefined {
    const r = this.txs.get(key(hash));
    return r ? Tx.fromBytes(r.bytes) : undefined;
  }

  /** The pending or mined tx holding `nullifier`, if any. */
  txWithNullifier(nullifier: bigint): bigint | undefined {
    return this.nullifiers.get(nullifier);
  }

  pending(limit = Infinity): Tx[] {
    return [...this.pendingTxs.values()].slice(0, limit);
  }

  get pendingCount(): number {
    return this.pendingTxs.size;
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

  /** Mined txs, for checking that their blocks are still in the chain. */
  mined(): MinedTx[] {
    const out: MinedTx[] = [];
    for (const { key: k, value } of this.txs.getRange()) {
      if (value.state === 'mined' && value.mined) out.push({ hash: BigInt(`0x${k}`), block: value.mined.block, headerHash: BigInt(`0x${value.mined.headerHash}`), l1Block: value.mined.l1Block });
    }
    return out;
  }

  /** Back to pending (their block left the chain), to be re-checked before they are proposed again. */
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
    for (const [, tx] of back.sort((a, b) => a[0] - b[0])) {
      this.track(tx);
      this.recheck.add(tx.hash());
    }
  }

  /** Pending txs returned from a block that left the chain and not re-checked since. */
  toRecheck(): Tx[] {
    return [...this.recheck].map((h) => this.pendingTxs.get(h)!);
  }

  /** These returned txs passed their re-check. */
  async markRechecked(hashes: readonly bigint[]): Promise<void> {
    await this.root.transaction(() => {
      for (const h of hashes) {
        const r = this.txs.get(key(h));
        if (r?.recheck) this.txs.put(key(h), { bytes: r.bytes, seq: r.seq, state: r.state });
      }
    });
    for (const h of hashes) this.recheck.delete(h);
  }

  /** Forgets txs that can never be mined (e.g. their nullifier was spent by another tx). */
  async drop(hashes: readonly bigint[]): Promise<void> {
    for (const h of hashes) this.untrack(h, true);
    await this.root.transaction(() => {
      for (const h of hashes) this.txs.remove(key(h));
    });
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
