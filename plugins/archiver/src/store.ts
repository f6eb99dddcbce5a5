// The archiver's LMDB store. Everything it keeps is derived from L1 logs and keyed by where the log
// sits on L1, so an L1 reorg back to block A is undone by dropping what came after A:
//   blockLog  [l1Block, logIndex] -> proposed block (bytes) and the L1 block that pruned it, if any
//   chain     blockNumber -> blockLog key of the block in the pending chain (rebuilt on rewind)
//   messages  [tree, index] -> L1->L2 message leaf
//   proofs    [l1Block, logIndex] -> proven block number
//   claims    epoch -> ProofRightClaimed
//   l1Hashes  l1Block -> hash, for every L1 block we took logs from and every batch end (reorg checks)
//   meta      'synced' -> the last L1 block fully processed
// Each batch of L1 blocks is written in one transaction with the new sync point, so a crash or a
// restart resumes from the last complete batch.
import { open, type Database, type RootDatabase } from 'lmdb';
import { closeStore } from '@quetzal/kernel/storage';
import { L1_TO_L2_MSGS_PER_BLOCK } from '@quetzal/protocol/constants';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import type { EpochClaimRecord } from '@quetzal/protocol/l2-block-source';

type LogKey = [number, number];

interface BlockLogRecord {
  blockNumber: number;
  slot: number;
  bytes: Uint8Array;
  /** L1 block whose PrunedPending removed this block from the pending chain. */
  prunedAt?: number;
}

interface ChainRecord {
  key: LogKey;
  slot: number;
}

interface MessageRecord {
  leaf: string;
  l1Block: number;
}

interface ClaimRecord {
  prover: `0x${string}`;
  proposer: `0x${string}`;
  bondAmount: string;
  basisPointFee: number;
  l1Block: number;
}

export interface SyncPoint {
  number: number;
  hash: `0x${string}`;
  timestamp: number;
}

/** What one batch of L1 logs changes, in L1 order. */
export type ArchiverEvent =
  | { kind: 'block'; key: LogKey; block: L2Block }
  | { kind: 'message'; l1Block: number; tree: number; index: number; leaf: bigint }
  | { kind: 'proof'; key: LogKey; blockNumber: number }
  | { kind: 'claim'; l1Block: number; epoch: number; prover: `0x${string}`; proposer: `0x${string}`; bondAmount: bigint; basisPointFee: number }
  | { kind: 'prune'; l1Block: number; provenBlockNumber: number; pendingBlockNumber: number };

/** How many batch-end hashes to keep for finding the common ancestor after a reorg (a deeper one resyncs from the start). */
const KEPT_CHECKPOINTS = 512;

export class ArchiverStore {
  private readonly root: RootDatabase;
  private readonly blockLog: Database<BlockLogRecord, LogKey>;
  private readonly chain: Database<ChainRecord, number>;
  private readonly messages: Database<MessageRecord, [number, number]>;
  private readonly proofs: Database<number, LogKey>;
  private readonly claims: Database<ClaimRecord, number>;
  private readonly l1Hashes: Database<string, number>;
  private readonly meta: Database<unknown, string>;

  constructor(private readonly path: string) {
    this.root = open({ path, compression: false, maxDbs: 8 });
    this.blockLog = this.root.openDB({ name: 'blockLog' });
    this.chain = this.root.openDB({ name: 'chain' });
    this.messages = this.root.openDB({ name: 'messages' });
    this.proofs = this.root.openDB({ name: 'proofs' });
    this.claims = this.root.openDB({ name: 'claims' });
    this.l1Hashes = this.root.openDB({ name: 'l1Hashes' });
    this.meta = this.root.openDB({ name: 'meta' });
  }

  getSynced(): SyncPoint | undefined {
    return this.meta.get('synced') as SyncPoint | undefined;
  }

  /** Applies a batch of events and moves the sync point, atomically. */
  applyBatch(events: readonly ArchiverEvent[], hashes: ReadonlyMap<number, string>, synced: SyncPoint): void {
    this.root.transactionSync(() => {
      for (const e of events) this.apply(e);
      for (const [n, h] of hashes) this.l1Hashes.put(n, h);
      this.l1Hashes.put(synced.number, synced.hash);
      this.meta.put('synced', synced);
      const keys = [...this.l1Hashes.getKeys({ reverse: true, offset: KEPT_CHECKPOINTS })];
      for (const k of keys) this.l1Hashes.remove(k);
    });
  }

  private apply(e: ArchiverEvent): void {
    switch (e.kind) {
      case 'block': {
        const blockNumber = Number(e.block.number);
        const slot = Number(e.block.header.globalVariables.slotNumber);
        this.blockLog.put(e.key, { blockNumber, slot, bytes: e.block.toBytes() });
        this.chain.put(blockNumber, { key: e.key, slot });
        return;
      }
      case 'message':
        this.messages.put([e.tree, e.index], { leaf: e.leaf.toString(16), l1Block: e.l1Block });
        return;
      case 'proof':
        this.proofs.put(e.key, e.blockNumber);
        return;
      case 'claim':
        this.claims.put(e.epoch, { prover: e.prover, proposer: e.proposer, bondAmount: e.bondAmount.toString(), basisPointFee: e.basisPointFee, l1Block: e.l1Block });
        return;
      case 'prune':
        for (let n = e.provenBlockNumber + 1; n <= e.pendingBlockNumber; n++) {
          const c = this.chain.get(n);
          if (!c) continue;
          const rec = this.blockLog.get(c.key);
          if (rec) this.blockLog.put(c.key, { ...rec, prunedAt: e.l1Block });
          this.chain.remove(n);
        }
        return;
    }
  }

  /** Checkpoints (L1 block number, hash), newest first: candidates for the common ancestor after a reorg. */
  checkpoints(): { number: number; hash: string }[] {
    return [...this.l1Hashes.getRange({ reverse: true })].map(({ key, value }) => ({ number: key, hash: value }));
  }

  /** Forgets everything learnt from L1 blocks after `l1Block` (an L1 reorg) and sets the sync point there. */
  rewindTo(synced: SyncPoint): void {
    const a = synced.number;
    this.root.transactionSync(() => {
      for (const { key, value } of [...this.blockLog.getRange()]) {
        if (key[0] > a) this.blockLog.remove(key);
        else if (value.prunedAt !== undefined && value.prunedAt > a) this.blockLog.put(key, { ...value, prunedAt: undefined });
      }
      for (const key of [...this.chain.getKeys()]) this.chain.remove(key);
      // log order = L1 order, so a re-proposed block number overwrites the pruned one
      for (const { key, value } of [...this.blockLog.getRange()]) {
        if (key[0] <= a && (value.prunedAt === undefined || value.prunedAt > a)) this.chain.put(value.blockNumber, { key, slot: value.slot });
      }
      for (const { key, value } of [...this.messages.getRange()]) if (value.l1Block > a) this.messages.remove(key);
      for (const key of [...this.proofs.getKeys()]) if (key[0] > a) this.proofs.remove(key);
      for (const { key, value } of [...this.claims.getRange()]) if (value.l1Block > a) this.claims.remove(key);
      for (const key of [...this.l1Hashes.getKeys()]) if (key > a) this.l1Hashes.remove(key);
      this.l1Hashes.put(a, synced.hash);
      this.meta.put('synced', synced);
    });
  }

  // ---------------------------------------------------------------- reads

  getPendingBlockNumber(): number {
    for (const key of this.chain.getKeys({ reverse: true, limit: 1 })) return key;
    return 0;
  }

  getProvenBlockNumber(): number {
    let proven = 0;
    for (const { value: n } of this.proofs.getRange()) if (n > proven) proven = n;
    return proven;
  }

  getBlock(blockNumber: number): L2Block | undefined {
    const c = this.chain.get(blockNumber);
    if (!c) return undefined;
    const rec = this.blockLog.get(c.key);
    return rec ? L2Block.fromBytes(rec.bytes) : undefined;
  }

  getBlocks(from: number, limit: number): L2Block[] {
    const out: L2Block[] = [];
    for (let n = from; n < from + limit; n++) {
      const b = this.getBlock(n);
      if (!b) break;
      out.push(b);
    }
    return out;
  }

  /** Block numbers of the pending chain whose slot is in [firstSlot, lastSlot]. */
  blockNumbersInSlots(firstSlot: number, lastSlot: number): number[] {
    const out: number[] = [];
    // slots increase with block numbers: walk back from the tip until before the range
    for (const { key, value } of this.chain.getRange({ reverse: true })) {
      if (value.slot < firstSlot) break;
      if (value.slot <= lastSlot) out.push(key);
    }
    return out.reverse();
  }

  getL1ToL2Messages(tree: number): bigint[] {
    const leaves = Array<bigint>(L1_TO_L2_MSGS_PER_BLOCK).fill(0n);
    for (const { key, value } of this.messages.getRange({ start: [tree, 0], end: [tree, L1_TO_L2_MSGS_PER_BLOCK] })) leaves[key[1]] = BigInt(`0x${value.leaf}`);
    return leaves;
  }

  getClaim(epoch: number): EpochClaimRecord | undefined {
    const c = this.claims.get(epoch);
    if (!c) return undefined;
    return { epoch, prover: c.prover, proposer: c.proposer, bondAmount: BigInt(c.bondAmount), basisPointFee: c.basisPointFee, l1BlockNumber: BigInt(c.l1Block) };
  }

  async close(): Promise<void> {
    await closeStore(this.root, this.path);
  }
}
