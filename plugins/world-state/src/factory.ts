// Wiring for the plugin declaration: the world state and its synchronizer from configuration.
import type { L2BlockSource } from '@quetzal/protocol/l2-block-source';
import { ServerWorldStateSynchronizer, type SynchronizerConfig } from './synchronizer.js';
import { LmdbWorldState, type LmdbWorldStateOptions } from './world-state.js';

export interface WorldStateConfig extends LmdbWorldStateOptions, SynchronizerConfig {
  /** Directory of the LMDB environment. */
  dataDirectory: string;
}

export async function createWorldStateSynchronizer(
  config: WorldStateConfig,
  source: L2BlockSource,
): Promise<{ worldState: LmdbWorldState; synchronizer: ServerWorldStateSynchronizer }> {
  const worldState = await LmdbWorldState.open(config.dataDirectory, config);
  const synchronizer = new ServerWorldStateSynchronizer(worldState, source, config);
  return { worldState, synchronizer };
}
