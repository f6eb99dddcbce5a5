export { createL1Connection, createL1Client, type L1ConnectionOptions } from './connection.js';
export { l1ClientPlugin, loadGenesis } from './plugin.js';
export { bindDataDir } from './data-dir.js';
export { quoteChainView } from './quote-view.js';
export { l1Checks, type L1Target } from './checks.js';
