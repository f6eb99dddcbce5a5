import { loadOrCreatePeerKey, peerKeyFileOf, type P2PConfig } from '@quetzal/p2p';
import type { CoreConfig } from '@quetzal/kernel/core-plugins';
import { ConfiguredCommand } from '../../configured-command.js';

export default class P2PId extends ConfiguredCommand {
  static override summary = 'Print this node\'s P2P multiaddr (creates the peer key file when absent)';
  static override description =
    'Offline: reads --p2p.peer-key-file (default <data-dir>/p2p/peer-key), creating it like `start` would, and prints /ip4/<--p2p.ip or listen address>/tcp/<--p2p.port>/p2p/<peer id>, the address other nodes pass to --p2p.bootstrap-nodes.';
  static override strict = false;

  async run(): Promise<void> {
    const { config } = await this.configure().catch((err: Error) => this.error(err.message, { exit: 2 }));
    const p2p = config.p2p as P2PConfig;
    const core = config.core as CoreConfig;
    const file = peerKeyFileOf(p2p, core.dataDir);
    const { peerId, created } = await loadOrCreatePeerKey(file).catch((err: Error) => this.error(err.message, { exit: 2 }));
    if (created) this.logToStderr(`created ${file}`);
    const ip = p2p.ip ?? (p2p.listenAddress === '0.0.0.0' ? '127.0.0.1' : p2p.listenAddress);
    this.log(`/ip4/${ip}/tcp/${p2p.port}/p2p/${peerId.toString()}`);
  }
}
