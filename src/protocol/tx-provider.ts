// Where the prover node gets the full txs (effects + client proofs) of the blocks it proves: blocks
// on L1 carry only the effects. The tx pool holds them, peers serve them by request-response (p2p.ts)
// and nodes as `node_getTxsByHash` (node-api.ts).
import type { Tx } from './tx.js';

export interface TxProvider {
  /** The txs with these hashes, in the same order; undefined for a tx that no node returned. */
  getTxsByHash(hashes: readonly bigint[], options?: { signal?: AbortSignal }): Promise<(Tx | undefined)[]>;
  /** Where it looks, for the error that reports a missing tx (e.g. "pool, peers (3 connected), http://node:8080"). */
  describe?(): string;
}
