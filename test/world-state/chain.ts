// Builds valid L2 blocks over the reference trees, and serves them as an L2BlockSource.
import { AppendOnlyTreeSnapshot, BlockHeader, ContentCommitment, GlobalVariables, StateReference } from '@quetzal/protocol/block/header';
import { Body, computeInHash } from '@quetzal/protocol/block/body';
import { TxEffect } from '@quetzal/protocol/block/tx-effect';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import { blockHash } from '@quetzal/protocol/block/block-hash';
import { L1_TO_L2_MSGS_PER_BLOCK, MAX_NOTE_HASHES_PER_TX } from '@quetzal/protocol/constants';
import type { L2BlockSyncSource as L2BlockSource } from '@quetzal/protocol/l2-block-source';
import type { TreeSnapshot } from '@quetzal/protocol/trees/types';
import { TreeId } from '@quetzal/protocol/trees/types';
import type { TreeHeights } from '@quetzal/world-state';
import { ReferenceWorld } from './helpers.js';

export const SYNC_HEIGHTS: TreeHeights = {
  [TreeId.L1_TO_L2_MESSAGES]: 9,
  [TreeId.NOTE_HASH]: 9,
  [TreeId.NULLIFIER]: 9,
  [TreeId.PUBLIC_DATA]: 6,
  [TreeId.ARCHIVE]: 6,
};

export const FEE_PAYER = 0xfeen;
export const GENESIS_BALANCES = [{ slot: FEE_PAYER, value: 1_000_000n }];

const snap = (s: TreeSnapshot) => new AppendOnlyTreeSnapshot(s.root, BigInt(s.nextAvailableLeafIndex));

export class Chain {
  blocks: L2Block[] = [];
  msgs: bigint[][] = [];
  /** Reference world after each block (index = block number). */
  refs: ReferenceWorld[];
  private counter = 1n;

  constructor(
    readonly heights: TreeHeights = SYNC_HEIGHTS,
    readonly salt = 0n,
  ) {
    this.refs = [new ReferenceWorld(heights, GENESIS_BALANCES)];
  }

  private next(): bigint {
    return (this.counter++ << 32n) + this.salt * 7919n + 1n;
  }

  get latest(): number {
    return this.blocks.length;
  }

  /** A copy of this chain truncated to `n` blocks, continuing with another salt (a reorg). */
  forkAt(n: number, salt: bigint): Chain {
    const c = new Chain(this.heights, salt);
    c.blocks = this.blocks.slice(0, n);
    c.msgs = this.msgs.slice(0, n);
    c.refs = this.refs.slice(0, n + 1);
    c.counter = this.counter + 1000n;
    return c;
  }

  addBlock(numTxs = 2, fee = 3n, corrupt?: (s: StateReference) => StateReference): L2Block {
    const ref = this.refs[this.refs.length - 1].clone();
    const n = this.blocks.length + 1;
    const txs: TxEffect[] = [];
    for (let i = 0; i < numTxs; i++) {
      const tx = new TxEffect(this.next(), fee, FEE_PAYER, [this.next(), this.next(), this.next()], [this.next(), this.next()], []);
      txs.push(tx);
      ref.noteHash.appendLeaves(tx.noteHashes);
      for (const x of tx.nullifiers) if (x !== 0n) ref.nullifier.insert(x);
      if (fee > 0n) ref.publicData.write(FEE_PAYER, ref.publicData.read(FEE_PAYER) - fee);
    }
    const msgs = Array.from({ length: L1_TO_L2_MSGS_PER_BLOCK }, (_, i) => (i < 3 ? this.next() : 0n));
    ref.l1ToL2.appendLeaves(msgs);
    const body = new Body(txs);
    let state = new StateReference(snap(ref.l1ToL2.snapshot()), snap(ref.noteHash.snapshot()), snap(ref.nullifier.snapshot()), snap(ref.publicData.snapshot()));
    if (corrupt) state = corrupt(state);
    const header = new BlockHeader(
      snap(ref.archive.snapshot()),
      new ContentCommitment(BigInt(numTxs), body.txsEffectsHash(), computeInHash(msgs), body.outHash()),
      state,
      new GlobalVariables(1n, 1n, BigInt(n), BigInt(n), 1000n + BigInt(n), 0n),
      fee * BigInt(numTxs),
    );
    ref.archive.appendLeaves([blockHash(header)]);
    const block = new L2Block(header, body, snap(ref.archive.snapshot()));
    this.blocks.push(block);
    this.msgs.push(msgs);
    this.refs.push(ref);
    void MAX_NOTE_HASHES_PER_TX;
    return block;
  }
}

export class MemoryBlockSource implements L2BlockSource {
  proven = 0;
  calls = 0;
  constructor(public chain: Chain) {}
  async getBlockNumber(): Promise<number> {
    this.calls++;
    return this.chain.latest;
  }
  async getProvenBlockNumber(): Promise<number> {
    return this.proven;
  }
  async getBlock(n: number): Promise<L2Block | undefined> {
    return this.chain.blocks[n - 1];
  }
  async getBlocks(from: number, limit: number): Promise<L2Block[]> {
    return this.chain.blocks.slice(from - 1, from - 1 + limit);
  }
  async getL1ToL2Messages(n: number): Promise<bigint[]> {
    const m = this.chain.msgs[n - 1];
    if (!m) throw new Error(`no messages for block ${n}`);
    return m;
  }
}
