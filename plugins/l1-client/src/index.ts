export { createL1Connection, createL1Client, type L1ConnectionOptions } from './connection.js';
export { l1ClientPlugin, loadGenesis } from './plugin.js';
export { bindDataDir } from './data-dir.js';
