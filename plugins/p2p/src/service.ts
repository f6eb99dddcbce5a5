// The P2P service on js-libp2p: TCP + noise + yamux, identify, ping, gossipsub with peer scoring, and
// the tx request-response protocol. Gossiped txs enter the tx pool (which validates them) before they
// are forwarded; gossiped quotes pass checkClaimableQuote before they are forwarded and handed to
// the quote listeners. A rejected message lowers its sender's gossipsub score; a peer whose score falls
// below the disconnect threshold is hung up on and refused for a while.
import './node20.js';
import { createHash } from 'node:crypto';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { bootstrap } from '@libp2p/bootstrap';
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub';
import { createPeerScoreParams, createTopicScoreParams } from '@chainsafe/libp2p-gossipsub/score';
import { TopicValidatorResult, type Message, type PeerId, type PrivateKey } from '@libp2p/interface';
import type { Logger } from '@quetzal/kernel/logging';
import { TxRejectedError } from '@quetzal/protocol/node-api';
import { P2P_TOPICS, P2P_TX_REQUEST_PROTOCOL, type GossipVerdict, type P2PService, type QuoteListener } from '@quetzal/protocol/p2p';
import { checkClaimableQuote, QuoteRejectedError, signedQuoteFromJson, signedQuoteToJson, type QuoteChainView, type SignedEpochProofQuote } from '@quetzal/protocol/quote';
import { Tx } from '@quetzal/protocol/tx';
import { TxPoolFullError, type TxPool } from '@quetzal/protocol/tx-pool';
import type { P2PMetrics } from './metrics.js';
import { requestTxsFromPeer, TxRequestError, txRequestHandler, type TxRequestLimits } from './tx-reqresp.js';

export interface LibP2PServiceOptions {
  privateKey: PrivateKey;
  listenAddress: string;
  port: number;
  /** Address peers should dial (--p2p.p2p-ip); the listen address when absent. */
  announceIp?: string;
  bootstrapNodes: string[];
  maxPeers: number;
  /** A peer whose gossipsub score falls below this is disconnected. */
  disconnectScore: number;
  /** How long a disconnected peer is refused. */
  banMs: number;
  txRequests: TxRequestLimits;
  pool: TxPool;
  quoteChain: QuoteChainView;
  metrics: P2PMetrics;
  logger: Logger;
}

const VERDICT = { accept: TopicValidatorResult.Accept, reject: TopicValidatorResult.Reject, ignore: TopicValidatorResult.Ignore } as const;
const RESULT = { accept: 'accepted', reject: 'rejected', ignore: 'ignored' } as const;
const MAX_QUOTE_BYTES = 1024;
/** Peers asked for missing txs before giving up on them. */
const MAX_PEERS_ASKED = 8;

type Services = { pubsub: GossipSub; identify: unknown; ping: unknown };

export class LibP2PService implements P2PService {
  readonly enabled = true;
  private readonly quoteListeners: QuoteListener[] = [];
  private scoreTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly node: Libp2p<Services>,
    /** Peer id -> time until which it is refused. */
    private readonly banned: Map<string, number>,
    private readonly o: LibP2PServiceOptions,
  ) {}

  static async start(o: LibP2PServiceOptions): Promise<LibP2PService> {
    const banned = new Map<string, number>();
    const isBanned = (peer: PeerId) => isBannedNow(banned, peer.toString());
    const topicParams = createTopicScoreParams({
      topicWeight: 1,
      // a quiet network delivers few messages: do not penalize mesh peers for that
      meshMessageDeliveriesWeight: 0,
      meshFailurePenaltyWeight: 0,
      firstMessageDeliveriesWeight: 0.1,
      timeInMeshWeight: 0.01,
      // each invalid message counts, squared; the count decays by 10 % a second
      invalidMessageDeliveriesWeight: -10,
      invalidMessageDeliveriesDecay: 0.9,
    });
    const node = await createLibp2p({
      privateKey: o.privateKey,
      addresses: {
        listen: [`/ip4/${o.listenAddress}/tcp/${o.port}`],
        ...(o.announceIp && o.port !== 0 ? { announce: [`/ip4/${o.announceIp}/tcp/${o.port}`] } : {}),
      },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: o.maxPeers },
      // a node busy validating a burst answers pings late: that is no reason to drop the peer
      connectionMonitor: { abortConnectionOnPingFailure: false },
      connectionGater: { denyDialPeer: isBanned, denyInboundEncryptedConnection: isBanned },
      peerDiscovery: o.bootstrapNodes.length ? [bootstrap({ list: o.bootstrapNodes, timeout: 100 })] : [],
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          emitSelf: false,
          allowPublishToZeroTopicPeers: true,
          // content-addressed: the same tx or quote from two publishers is one message
          msgIdFn: (msg) => createHash('sha256').update(msg.data).digest(),
          // one RPC frame: a tx plus piggybacked control messages (IHAVE/IDONTWANT id lists)
          maxInboundDataLength: 1024 * 1024,
          scoreParams: createPeerScoreParams({ topics: { [P2P_TOPICS.tx]: topicParams, [P2P_TOPICS.quote]: topicParams } }),
          scoreThresholds: { gossipThreshold: o.disconnectScore / 4, publishThreshold: o.disconnectScore / 2, graylistThreshold: o.disconnectScore },
        }),
      },
    });
    const self = new LibP2PService(node as unknown as Libp2p<Services>, banned, o);
    await self.wire();
    return self;
  }

  private async wire(): Promise<void> {
    const pubsub = this.node.services.pubsub;
    pubsub.topicValidators.set(P2P_TOPICS.tx, (peer, msg) => this.judge(P2P_TOPICS.tx, peer, () => this.validateTx(msg)));
    pubsub.topicValidators.set(P2P_TOPICS.quote, (peer, msg) => this.judge(P2P_TOPICS.quote, peer, () => this.validateQuote(msg)));
    pubsub.subscribe(P2P_TOPICS.tx);
    pubsub.subscribe(P2P_TOPICS.quote);
    await this.node.handle(
      P2P_TX_REQUEST_PROTOCOL,
      txRequestHandler((h) => this.o.pool.get(h), this.o.txRequests, (outcome, seconds) => {
        this.o.metrics.requests.inc({ direction: 'in', outcome });
        this.o.metrics.requestSeconds.observe({ direction: 'in' }, seconds);
      }),
    );
    this.node.addEventListener('peer:connect', (e) => this.o.logger.info({ peer: e.detail.toString() }, 'peer connected'));
    this.node.addEventListener('peer:disconnect', (e) => this.o.logger.info({ peer: e.detail.toString() }, 'peer disconnected'));
    this.scoreTimer = setInterval(() => void this.disconnectLowScores(), 1000);
  }

  private async judge(topic: string, peer: PeerId, decide: () => Promise<GossipVerdict>): Promise<TopicValidatorResult> {
    let verdict: GossipVerdict;
    try {
      verdict = await decide();
    } catch (e) {
      this.o.logger.warn({ topic, peer: peer.toString(), err: (e as Error).message }, 'gossip validation failed; ignoring the message');
      verdict = 'ignore';
    }
    this.o.metrics.messages.inc({ topic, result: RESULT[verdict] });
    // gossipsub applies the penalty after we return: look at the score once it has
    if (verdict === 'reject') setTimeout(() => void this.disconnectLowScores(), 0);
    return VERDICT[verdict];
  }

  private async validateTx(msg: Message): Promise<GossipVerdict> {
    let tx: Tx;
    try {
      tx = Tx.fromBytes(msg.data);
    } catch {
      return 'reject';
    }
    if (this.o.pool.has(tx.hash())) return 'ignore';
    try {
      await this.o.pool.add(tx);
      return 'accept';
    } catch (e) {
      if (e instanceof TxPoolFullError) return 'ignore';
      if (e instanceof TxRejectedError) {
        this.o.logger.debug({ reason: e.message }, 'gossiped tx rejected');
        return 'reject';
      }
      throw e;
    }
  }

  private async validateQuote(msg: Message): Promise<GossipVerdict> {
    let quote: SignedEpochProofQuote;
    try {
      if (msg.data.length > MAX_QUOTE_BYTES) return 'reject';
      quote = signedQuoteFromJson(JSON.parse(Buffer.from(msg.data).toString('utf8')));
    } catch {
      return 'reject';
    }
    try {
      await checkClaimableQuote(quote, this.o.quoteChain);
    } catch (e) {
      if (e instanceof QuoteRejectedError) {
        this.o.logger.debug({ reason: e.message }, 'gossiped quote rejected');
        return 'reject';
      }
      throw e;
    }
    for (const listener of this.quoteListeners) listener(quote);
    return 'accept';
  }

  private async disconnectLowScores(): Promise<void> {
    const pubsub = this.node.services.pubsub;
    for (const peer of this.node.getPeers()) {
      const score = pubsub.getScore(peer.toString());
      if (score >= this.o.disconnectScore) continue;
      this.banned.set(peer.toString(), Date.now() + this.o.banMs);
      this.o.metrics.disconnects.inc({ reason: 'score' });
      this.o.logger.warn({ peer: peer.toString(), score, threshold: this.o.disconnectScore, banMs: this.o.banMs }, 'peer score below the threshold: disconnecting it');
      await this.node.hangUp(peer).catch(() => undefined);
    }
  }

  multiaddrs(): string[] {
    return this.node.getMultiaddrs().map((m) => m.toString());
  }

  peerCount(): number {
    return this.node.getPeers().length;
  }

  scores(): Map<string, number> {
    const pubsub = this.node.services.pubsub;
    return new Map(this.node.getPeers().map((p) => [p.toString(), pubsub.getScore(p.toString())]));
  }

  async publishTx(tx: Tx): Promise<number> {
    return (await this.node.services.pubsub.publish(P2P_TOPICS.tx, tx.toBytes())).recipients.length;
  }

  async publishQuote(quote: SignedEpochProofQuote): Promise<number> {
    const data = new TextEncoder().encode(JSON.stringify(signedQuoteToJson(quote)));
    return (await this.node.services.pubsub.publish(P2P_TOPICS.quote, data)).recipients.length;
  }

  onQuote(listener: QuoteListener): void {
    this.quoteListeners.push(listener);
  }

  async requestTxs(hashes: readonly bigint[], options: { signal?: AbortSignal } = {}): Promise<(Tx | undefined)[]> {
    const found = new Map<bigint, Tx>();
    const peers = this.node.getPeers().sort(() => Math.random() - 0.5).slice(0, MAX_PEERS_ASKED);
    const dial = (peer: PeerId, protocol: string, o: { signal: AbortSignal }) => this.node.dialProtocol(peer, protocol, o);
    for (const peer of peers) {
      const missing = [...new Set(hashes.filter((h) => !found.has(h)))];
      if (missing.length === 0) break;
      for (let i = 0; i < missing.length; i += this.o.txRequests.maxHashes) {
        options.signal?.throwIfAborted();
        const chunk = missing.slice(i, i + this.o.txRequests.maxHashes);
        const t0 = performance.now();
        try {
          const txs = await requestTxsFromPeer(dial, P2P_TX_REQUEST_PROTOCOL, peer, chunk, this.o.txRequests, options.signal);
          txs.forEach((tx, j) => tx && found.set(chunk[j]!, tx));
          this.o.metrics.requests.inc({ direction: 'out', outcome: 'ok' });
        } catch (e) {
          this.o.metrics.requests.inc({ direction: 'out', outcome: e instanceof TxRequestError ? e.outcome : 'error' });
          this.o.logger.debug({ peer: peer.toString(), err: (e as Error).message }, 'tx request to a peer failed');
          break;
        } finally {
          this.o.metrics.requestSeconds.observe({ direction: 'out' }, (performance.now() - t0) / 1000);
        }
      }
    }
    return hashes.map((h) => found.get(h));
  }

  async stop(): Promise<void> {
    clearInterval(this.scoreTimer);
    await this.node.stop();
  }
}

function isBannedNow(banned: Map<string, number>, peer: string): boolean {
  const until = banned.get(peer);
  if (until === undefined) return false;
  if (until > Date.now()) return true;
  banned.delete(peer);
  return false;
}

/** The P2P service when P2P is off: no peers, so publishes reach nobody and requests find nothing. */
export class DisabledP2PService implements P2PService {
  readonly enabled = false;
  multiaddrs = () => [];
  peerCount = () => 0;
  publishTx = async () => 0;
  publishQuote = async () => 0;
  onQuote(): void {}
  requestTxs = async (hashes: readonly bigint[]) => hashes.map(() => undefined);
}
