// The peer-to-peer service roles meet through (token `Tokens.P2P`): gossip topics for txs and signed
// quotes, and request-response to fetch txs by hash (DESIGN.md §6b). Provided by the p2p plugin; when
// P2P is off it is a service with no peers (publishing reaches nobody, requests find nothing).
import type { SignedEpochProofQuote } from './quote.js';
import type { Tx } from './tx.js';

/** Gossip topic names; the version changes when a message encoding does. */
export const P2P_TOPICS = { tx: '/quetzal/tx/1', quote: '/quetzal/quote/1' } as const;
/** Request-response protocol: fetch txs by hash. */
export const P2P_TX_REQUEST_PROTOCOL = '/quetzal/req/tx/1.0.0';

/** What a gossip validator decides: accept (keep, forward), reject (drop, lower the sender's score), ignore (drop, no penalty). */
export type GossipVerdict = 'accept' | 'reject' | 'ignore';

/** Where quotes that passed gossip validation go (the sequencer's quote book). */
export type QuoteListener = (quote: SignedEpochProofQuote) => void;

export interface P2PService {
  /** False when P2P is off (no --p2p.enabled): publishes reach nobody. */
  readonly enabled: boolean;
  /** This node's full multiaddrs (`/ip4/.../tcp/.../p2p/<peer id>`), none when off. */
  multiaddrs(): string[];
  /** Peers connected now. */
  peerCount(): number;
  /** Gossips a tx this node already validated and pooled (node_sendTx); resolves with the peers it went to. */
  publishTx(tx: Tx): Promise<number>;
  /** Gossips a signed quote (a prover node's bid); resolves with the peers it went to. */
  publishQuote(quote: SignedEpochProofQuote): Promise<number>;
  /** Quotes received over gossip that passed validation are handed to `listener`. */
  onQuote(listener: QuoteListener): void;
  /** Asks connected peers for txs by hash (request-response); one entry per hash, undefined where no peer had it. */
  requestTxs(hashes: readonly bigint[], options?: { signal?: AbortSignal }): Promise<(Tx | undefined)[]>;
}
