export { Archiver, type ArchiverConfig } from './archiver.js';
export { ArchiverStore } from './store.js';
export { createArchiverClient, registerArchiverRpc } from './rpc.js';
export { archiverPlugin } from './plugin.js';
