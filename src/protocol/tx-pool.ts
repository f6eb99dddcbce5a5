// The process's tx pool (token `Tokens.TxPool`): txs from node_sendTx and from gossip, validated once
// on the way in, bounded in count and bytes. The sequencer builds blocks from its pending txs; the
// prover node's tx provider and the p2p request-response handler read it by hash.
import { TxRejectedError } from './node-api.js';
import type { Tx } from './tx.js';

/** A refusal that is not the sender's fault: the pool is full and the tx does not outbid its lowest pending fee. */
export class TxPoolFullError extends TxRejectedError {
  override name = 'TxPoolFullError';
}

export interface MinedTx {
  hash: bigint;
  block: number;
  headerHash: bigint;
  l1Block: number;
}

/** A pooled tx dropped because it failed its re-validation, with the tx field at fault and why. */
export interface ReturnedTxDropped {
  hash: bigint;
  field: string;
  reason: string;
}

export interface TxPoolStats {
  pendingTxs: number;
  pendingBytes: number;
  minedTxs: number;
}

export interface TxPool {
  /**
   * Validates the tx (shape, client proof, fee payer balance, nullifiers unspent and unpooled, not
   * already known) and keeps it as pending; when that exceeds a bound, evicts pending txs by the
   * eviction rule (lowest fee first; among equal fees the latest arrival). Throws TxRejectedError
   * with the reason (TxPoolFullError when the tx itself is the one the rule would evict).
   */
  add(tx: Tx): Promise<void>;
  has(hash: bigint): boolean;
  get(hash: bigint): Tx | undefined;
  isPending(hash: bigint): boolean;
  /** Pending txs in arrival order. */
  pending(limit?: number): Tx[];
  readonly pendingCount: number;
  /** The pending or mined tx holding `nullifier`, if any. */
  txWithNullifier(nullifier: bigint): bigint | undefined;
  markMined(txs: readonly Tx[], at: { block: number; headerHash: bigint; l1Block: number }): Promise<void>;
  mined(): MinedTx[];
  /** Back to pending (their block left the chain), flagged for re-validation. */
  returnToPending(hashes: readonly bigint[]): Promise<void>;
  /**
   * Re-validates the txs returned to pending since their last check (client proof included), against
   * the current world state, and drops the ones that fail: a forged or no longer payable tx is never
   * proposed again. Call it with the world state at the tip the next block builds on.
   */
  revalidateReturned(): Promise<ReturnedTxDropped[]>;
  /** Forgets txs that can never be mined. */
  drop(hashes: readonly bigint[]): Promise<void>;
  /** Forgets mined txs of blocks up to `block` (proven: no prover needs them any more). */
  forgetMinedUpTo(block: number): Promise<number>;
  stats(): TxPoolStats;
}
