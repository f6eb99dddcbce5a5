import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { z } from 'zod';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option, type OptionValues } from '@quetzal/kernel/options';
import { quoteChainView } from '@quetzal/l1-client';
import { Tokens } from '@quetzal/protocol/tokens';
import { P2PMetrics } from './metrics.js';
import { loadOrCreatePeerKey } from './peer-key.js';
import { DisabledP2PService, LibP2PService } from './service.js';
import { DEFAULT_TX_REQUEST_LIMITS } from './tx-reqresp.js';

const p2pOptions = {
  enabled: option.boolean({ description: 'Join the peer-to-peer network: gossip txs and quotes, serve and fetch txs by hash', env: 'P2P_ENABLED', aliases: ['p2p-enabled'] }),
  ip: option.string({ description: 'Public IPv4 address peers dial (announced in the multiaddr); default: the listen address', env: 'P2P_IP', aliases: ['p2p.p2pIp'] }),
  port: option.int({ description: 'TCP port for peers (0: a free port)', env: 'P2P_PORT', default: 40400, min: 0, max: 65535 }),
  listenAddress: option.string({ description: 'IPv4 address the P2P port binds', env: 'P2P_LISTEN_ADDR', default: '0.0.0.0' }),
  bootstrapNodes: option.custom(
    z.union([z.array(z.string()), z.string().transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean))])
      .pipe(z.array(z.string().refine(isPeerMultiaddr, { error: (iss) => `"${String(iss.input)}" is not a multiaddr with a peer id; expected /ip4/<ip>/tcp/<port>/p2p/<peer id> (\`quetzal p2p id\` on that node prints it)` })))
      .optional(),
    { description: 'Peers to join through, comma-separated multiaddrs /ip4/<ip>/tcp/<port>/p2p/<peer id> (`quetzal p2p id` prints a node\'s)', env: 'BOOTSTRAP_NODES' },
  ),
  peerKeyFile: option.string({ description: 'File holding the node\'s libp2p private key; created when absent, so the peer id stays the same (default: <data-dir>/p2p/peer-key)', env: 'P2P_PEER_KEY_FILE' }),
  maxPeers: option.int({ description: 'Most peer connections', env: 'P2P_MAX_PEERS', default: 50, min: 1 }),
  disconnectScore: option.int({ description: 'Disconnect a peer whose gossipsub score falls below this (each invalid message it sends counts, squared)', env: 'P2P_DISCONNECT_SCORE', default: -200, max: -1 }),
  banSeconds: option.int({ description: 'How long a disconnected peer is refused', env: 'P2P_BAN_SECONDS', default: 600, min: 0 }),
  txRequestRateLimit: option.int({ description: 'Tx-by-hash requests each peer may make per second', env: 'P2P_TX_REQUEST_RATE_LIMIT', default: DEFAULT_TX_REQUEST_LIMITS.requestsPerSecond, min: 1 }),
  txRequestTimeoutMs: option.int({ description: 'Time for one tx-by-hash request to a peer', env: 'P2P_TX_REQUEST_TIMEOUT_MS', default: DEFAULT_TX_REQUEST_LIMITS.timeoutMs, min: 100 }),
};
export type P2PConfig = OptionValues<typeof p2pOptions>;

/** The peer key file: the flag, or `p2p/peer-key` in the data directory. */
export function peerKeyFileOf(config: Pick<P2PConfig, 'peerKeyFile'>, dataDir: string): string {
  return config.peerKeyFile ?? join(dataDir, 'p2p', 'peer-key');
}

function isPeerMultiaddr(s: string): boolean {
  try {
    return multiaddr(s).getPeerId() !== null;
  } catch {
    return false;
  }
}

/**
 * The P2P service every role that gossips requires (the sequencer, the prover node). It joins the
 * network only with --p2p.enabled; otherwise it provides a service with no peers.
 */
export const p2pPlugin = definePlugin({
  name: 'p2p',
  description: 'Peer-to-peer network (js-libp2p): tx and quote gossip, txs fetched from peers by hash',
  options: p2pOptions,
  provides: [Tokens.P2P],
  requires: { fromConfig: (c) => (c.enabled ? [Tokens.L1, Tokens.TxPool] : []) },
  async start(ctx) {
    const c = ctx.config;
    const bootstrapNodes = c.bootstrapNodes ?? [];
    if (!c.enabled) {
      if (bootstrapNodes.length) throw new Error('--p2p.bootstrap-nodes is set but P2P is off: add --p2p.enabled');
      ctx.provide(Tokens.P2P, new DisabledP2PService());
      return;
    }
    const keyFile = peerKeyFileOf(c, ctx.core.dataDir);
    const identity = await loadOrCreatePeerKey(keyFile);
    const sample = { service: undefined as LibP2PService | undefined };
    const metrics = new P2PMetrics(ctx.metrics, { peers: () => sample.service?.peerCount() ?? 0, scores: () => sample.service?.scores() ?? new Map() });
    const service = await LibP2PService.start({
      privateKey: identity.privateKey,
      listenAddress: c.listenAddress,
      port: c.port,
      announceIp: c.ip,
      bootstrapNodes,
      maxPeers: c.maxPeers,
      disconnectScore: c.disconnectScore,
      banMs: c.banSeconds * 1000,
      txRequests: { ...DEFAULT_TX_REQUEST_LIMITS, requestsPerSecond: c.txRequestRateLimit, burst: 2 * c.txRequestRateLimit, timeoutMs: c.txRequestTimeoutMs },
      pool: ctx.resolve(Tokens.TxPool),
      quoteChain: quoteChainView(ctx.resolve(Tokens.L1)),
      metrics,
      logger: ctx.logger,
    });
    sample.service = service;
    ctx.provide(Tokens.P2P, service);
    ctx.logger.info({ peerId: identity.peerId.toString(), multiaddrs: service.multiaddrs(), keyFile, keyCreated: identity.created, bootstrapNodes: bootstrapNodes.length }, 'p2p started');
    return {
      stop: () => service.stop(),
      // with bootstrap nodes, a node is ready once it has a peer to gossip with
      isReady: () => bootstrapNodes.length === 0 || service.peerCount() > 0,
    };
  },
});
