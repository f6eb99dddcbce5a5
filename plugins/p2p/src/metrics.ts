import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type GossipResult = 'accepted' | 'rejected' | 'ignored';

/** Peers, gossip per topic and outcome, peer scores, request-response counts and latency. */
export class P2PMetrics {
  readonly messages: Counter<'topic' | 'result'>;
  readonly disconnects: Counter<'reason'>;
  readonly requests: Counter<'direction' | 'outcome'>;
  readonly requestSeconds: Histogram<'direction'>;

  constructor(registry: Registry, sample: { peers(): number; scores(): Map<string, number> }) {
    new Gauge({ name: 'quetzal_p2p_peers', help: 'Peers connected', registers: [registry], collect() { this.set(sample.peers()); } });
    new Gauge({
      name: 'quetzal_p2p_peer_score',
      help: 'Gossipsub score of each connected peer',
      labelNames: ['peer'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [peer, score] of sample.scores()) this.set({ peer }, score);
      },
    });
    this.messages = new Counter({ name: 'quetzal_p2p_gossip_messages_total', help: 'Gossip messages received, by topic and validation result (accepted, rejected, ignored)', labelNames: ['topic', 'result'], registers: [registry] });
    this.disconnects = new Counter({ name: 'quetzal_p2p_peers_disconnected_total', help: 'Peers this node disconnected, by reason', labelNames: ['reason'], registers: [registry] });
    this.requests = new Counter({ name: 'quetzal_p2p_reqresp_requests_total', help: 'Tx requests by hash, served (in) and made (out), by outcome', labelNames: ['direction', 'outcome'], registers: [registry] });
    this.requestSeconds = new Histogram({
      name: 'quetzal_p2p_reqresp_seconds',
      help: 'Duration of tx requests by hash',
      labelNames: ['direction'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }
}
