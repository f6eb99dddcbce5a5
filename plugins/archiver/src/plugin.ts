import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { Tokens } from '@quetzal/protocol/tokens';
import { bindDataDir } from '@quetzal/l1-client';
import { Archiver, type ArchiverMetrics } from './archiver.js';
import { createArchiverClient, registerArchiverRpc } from './rpc.js';
import { ArchiverStore } from './store.js';
import { archiverChecks } from './checks.js';

export const archiverPlugin = definePlugin({
  name: 'archiver',
  description: 'Follows L1: proposed blocks, L1->L2 messages, claims, proofs and prunes, served as an L2 block source',
  role: { description: 'follows L1: proposed blocks, L1->L2 messages, claims, proofs and prunes, served as an L2 block source' },
  options: {
    url: option.url({ description: 'URL of a remote archiver to use instead of running one here', env: 'ARCHIVER_URL' }),
    pollingIntervalMs: option.int({ description: 'How often to poll L1 for new blocks', env: 'ARCHIVER_POLLING_INTERVAL_MS', default: 1000, min: 50 }),
    batchSize: option.int({ description: 'L1 blocks fetched per log query while catching up', env: 'ARCHIVER_BATCH_SIZE', default: 100, min: 1 }),
  },
  provides: [Tokens.L2BlockSource],
  requires: { fromConfig: (c) => (c.url ? [] : [Tokens.L1]) },
  clientMode: (c) => Boolean(c.url),
  checks: archiverChecks,
  remotes: (c) => (c.url ? [{ token: Tokens.L2BlockSource, url: c.url }] : []),
  async start(ctx) {
    if (ctx.mode === 'client') {
      ctx.provide(Tokens.L2BlockSource, createArchiverClient(ctx.config.url!));
      ctx.logger.info({ url: ctx.config.url }, 'using a remote archiver');
      return;
    }
    const l1 = ctx.resolve(Tokens.L1);
    bindDataDir(ctx.dataDir, l1, ctx.logger);
    const store = new ArchiverStore(join(ctx.dataDir, 'archiver.lmdb'));
    const archiver = new Archiver(l1.client, l1.deployment, store, { batchSize: ctx.config.batchSize, pollingIntervalMs: ctx.config.pollingIntervalMs, onStorageFault: (err) => ctx.fail(err) }, ctx.logger, archiverMetrics(ctx.metrics));
    const synced = store.getSynced();
    ctx.logger.info({ resumeFromL1Block: synced?.number ?? Number(l1.deployment.deployBlock), rollup: l1.deployment.addresses.rollup }, 'archiver starting');
    registerArchiverRpc(ctx.rpc, archiver);
    ctx.provide(Tokens.L2BlockSource, archiver);
    archiver.start();
    return {
      isReady: () => archiver.caughtUp,
      async stop() {
        await archiver.stop();
        await store.close();
      },
    };
  },
});

function archiverMetrics(registry: import('prom-client').Registry): ArchiverMetrics {
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const l1 = gauge('quetzal_archiver_synced_l1_block', 'Last L1 block the archiver processed');
  const pending = gauge('quetzal_archiver_latest_l2_block', 'Latest L2 block of the pending chain');
  const proven = gauge('quetzal_archiver_proven_l2_block', 'Latest proven L2 block');
  return {
    onSynced(s) {
      l1.set(s.l1Block);
      pending.set(s.pending);
      proven.set(s.proven);
    },
  };
}
