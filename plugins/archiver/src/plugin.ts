import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';

export const archiverPlugin = definePlugin({
  name: 'archiver',
  description: 'Follows L1: proposed blocks, L1->L2 messages, claims, proofs and prunes, served as an L2 block source',
  role: { description: 'follows L1: proposed blocks, L1->L2 messages, claims, proofs and prunes, served as an L2 block source' },
  options: {
    url: option.url({ description: 'URL of a remote archiver to use instead of running one here', env: 'ARCHIVER_URL' }),
    pollingIntervalMs: option.int({ description: 'How often to poll L1 for new blocks', env: 'ARCHIVER_POLLING_INTERVAL_MS', default: 1000, min: 50 }),
    batchSize: option.int({ description: 'L1 blocks fetched per log query while catching up', env: 'ARCHIVER_BATCH_SIZE', default: 100, min: 1 }),
  },
  async start(ctx) {
    ctx.logger.info({ mode: ctx.mode }, 'archiver role is configured; its services arrive with their issue');
  },
});
