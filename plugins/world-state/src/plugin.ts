import { join } from 'node:path';
import { definePlugin } from '@quetzal/kernel/plugin';
import { lmdbHeadroomCheck } from '@quetzal/kernel/core-checks';
import { WORLD_STATE_MAP_SIZE } from './store.js';
import { option } from '@quetzal/kernel/options';
import { createProgress } from '@quetzal/kernel/progress';
import { Tokens } from '@quetzal/protocol/tokens';
import { bindDataDir } from '@quetzal/l1-client';
import { createWorldStateSynchronizer } from './factory.js';

/**
 * The process's L2 state: LMDB trees following the L2 block source from the network's genesis.
 * Not a role: it runs when a role requires the WorldStateSynchronizer, and every such role in the
 * process shares it (each works on its own forks).
 */
export const worldStatePlugin = definePlugin({
  name: 'world-state',
  description: 'L2 state (LMDB Merkle trees) following the L2 block source',
  options: {
    historyDepth: option.int({ description: 'Blocks of history kept before the latest (older snapshots are removed)', env: 'WORLD_STATE_HISTORY_DEPTH', default: 1024, min: 1 }),
    pollIntervalMs: option.int({ description: 'How often to look for new blocks', env: 'WORLD_STATE_POLL_INTERVAL_MS', default: 500, min: 10 }),
  },
  provides: [Tokens.WorldStateSynchronizer],
  checks: (ctx) => [lmdbHeadroomCheck('world-state-lmdb', join(ctx.dataDir, 'data.mdb'), WORLD_STATE_MAP_SIZE)],
  requires: [Tokens.L1, Tokens.L2BlockSource],
  async start(ctx) {
    const l1 = ctx.resolve(Tokens.L1);
    bindDataDir(ctx.dataDir, l1, ctx.logger);
    const { worldState, synchronizer } = await createWorldStateSynchronizer(
      {
        dataDirectory: ctx.dataDir,
        genesis: { publicData: l1.genesis.publicData, chainId: BigInt(l1.chainId), version: l1.deployment.params.version },
        historyDepth: ctx.config.historyDepth,
        pollIntervalMs: ctx.config.pollIntervalMs,
        log: (msg, data) => ctx.logger.debug(data ?? {}, msg),
        onStorageFault: (err) => ctx.fail(err),
        progress: (label, total) => createProgress({ label, total, logger: ctx.logger }),
      },
      ctx.resolve(Tokens.L2BlockSource),
    );
    const genesisArchive = (await worldState.getSnapshot(0).getStateReference()).archive.root;
    if (genesisArchive !== l1.deployment.params.genesisArchiveRoot) {
      await worldState.close();
      throw new Error(
        `the L2 genesis archive root 0x${genesisArchive.toString(16)} differs from the Rollup's 0x${l1.deployment.params.genesisArchiveRoot.toString(16)}: ` +
          `pass the network's --l1-client.genesis-file, or use a data directory that does not hold another network's state (${ctx.dataDir})`,
      );
    }
    await synchronizer.start();
    ctx.provide(Tokens.WorldStateSynchronizer, synchronizer);
    return {
      async stop() {
        await synchronizer.stop();
        await worldState.close();
      },
    };
  },
});
