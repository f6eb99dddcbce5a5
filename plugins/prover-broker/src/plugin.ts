import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';

export const proverBrokerPlugin = definePlugin({
  name: 'prover-broker',
  description: 'Queues proving jobs persistently and hands them to prover agents',
  role: { description: 'queues proving jobs persistently and hands them to prover agents' },
  options: {
    authToken: option.string({ description: 'Bearer token agents and producers must send', env: 'PROVER_BROKER_AUTH_TOKEN', secret: true }),
    jobTimeoutMs: option.int({ description: 'A job not heartbeated for this long goes back to the queue', env: 'PROVER_BROKER_JOB_TIMEOUT_MS', default: 30_000, min: 100 }),
    maxRetries: option.int({ description: 'Failed attempts before a job is given up', env: 'PROVER_BROKER_MAX_RETRIES', default: 3, min: 0 }),
    inlineProofMaxBytes: option.int({ description: 'Payloads above this size go to the proof store directory instead of the database', env: 'PROVER_BROKER_INLINE_PROOF_MAX_BYTES', default: 16 * 1024, min: 0 }),
    inMemory: option.boolean({ description: 'Keep jobs in memory only (tests and throwaway networks): nothing survives a restart', env: 'PROVER_BROKER_IN_MEMORY' }),
  },
  async start(ctx) {
    ctx.logger.info({ mode: ctx.mode }, 'prover-broker role is configured; its services arrive with their issue');
  },
});
