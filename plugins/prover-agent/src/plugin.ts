import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';

export const proverAgentPlugin = definePlugin({
  name: 'prover-agent',
  description: 'Pulls proving jobs from a broker and proves them',
  role: { description: 'pulls proving jobs from a broker and proves them' },
  options: {
    count: option.int({ description: 'Jobs proved concurrently', env: 'PROVER_AGENT_COUNT', default: 1, min: 1 }),
    proofTypes: option.list({ description: 'Only take these job types (comma-separated circuit names); all when empty', env: 'PROVER_AGENT_PROOF_TYPES' }),
    brokerUrl: option.url({ description: 'URL of a remote proving broker (instead of --prover-broker in this process)', env: 'PROVER_BROKER_URL', aliases: ['proverAgent.proverBrokerUrl'] }),
    authToken: option.string({ description: 'Bearer token of the remote broker', env: 'PROVER_AGENT_AUTH_TOKEN', secret: true }),
    pollIntervalMs: option.int({ description: 'Wait between polls when the broker has no job', env: 'PROVER_AGENT_POLL_INTERVAL_MS', default: 100, min: 10 }),
    threads: option.int({ description: 'Threads each bb process may use', env: 'PROVER_AGENT_THREADS', default: 2, min: 1 }),
  },
  async start(ctx) {
    ctx.logger.info({ mode: ctx.mode }, 'prover-agent role is configured; its services arrive with their issue');
  },
});
