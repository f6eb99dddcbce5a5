export { p2pPlugin, peerKeyFileOf, type P2PConfig } from './plugin.js';
export { loadOrCreatePeerKey } from './peer-key.js';
export { LibP2PService, DisabledP2PService, type LibP2PServiceOptions } from './service.js';
export { P2PMetrics } from './metrics.js';
export { DEFAULT_TX_REQUEST_LIMITS, type TxRequestLimits } from './tx-reqresp.js';
