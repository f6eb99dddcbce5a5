// The archiver's interface, as the world-state synchronizer (and others) consume it. Block
// numbers start at 1 (block 0 is genesis and is never served).
import type { L2Block } from './block/l2-block.js';

export interface L2BlockSource {
  /** Latest block number on L1 (pending chain); 0 when none. */
  getBlockNumber(): Promise<number>;
  /** Latest proven block number; 0 when none. */
  getProvenBlockNumber(): Promise<number>;
  /** The block, or undefined when unknown (e.g. pruned or not yet seen). */
  getBlock(blockNumber: number): Promise<L2Block | undefined>;
  /** Up to `limit` consecutive blocks from `from` (fewer when the chain is shorter). */
  getBlocks(from: number, limit: number): Promise<L2Block[]>;
  /**
   * The L1_TO_L2_MSGS_PER_BLOCK message leaves (0-padded) that block `blockNumber` consumes
   * (SPEC.md "L1 -> L2 messages").
   */
  getL1ToL2Messages(blockNumber: number): Promise<bigint[]>;
}
