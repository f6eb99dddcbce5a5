export { localNetworkPlugin, genesisArchiveRoot } from './plugin.js';
