export { LmdbWorldState, DEFAULT_TREE_HEIGHTS, genesisBlockHash, computeGenesis, type LmdbWorldStateOptions, type GenesisOptions } from './world-state.js';
export { WorldStateView, type TreeHeights } from './view.js';
export { getHasher, getBbHasher, type Hasher } from './hasher.js';
export { ServerWorldStateSynchronizer, WorldStateSyncError, blockTreeEffects, expectedState, type SynchronizerConfig } from './synchronizer.js';
export { createWorldStateSynchronizer, type WorldStateConfig } from './factory.js';
