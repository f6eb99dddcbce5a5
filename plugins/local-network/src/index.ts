export { localNetworkPlugin } from './plugin.js';
