import { definePlugin } from '@quetzal/kernel/plugin';
import { option, type OptionValues } from '@quetzal/kernel/options';
import { Tokens } from '@quetzal/protocol/tokens';
import { isProvingJobType, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { proveEncoded } from '@quetzal/protocol/circuits/encoding';
import { CircuitExecutionError } from '@quetzal/protocol/circuit-prover';
import { S3ObjectStore } from '@quetzal/kernel/object-store';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { remoteBrokerChecks } from '@quetzal/prover-broker';
import { NonRetryableProvingError, ProvingAgent } from './agent.js';

const options = {
  count: option.int({ description: 'Jobs proved concurrently', env: 'PROVER_AGENT_COUNT', default: 1, min: 1 }),
  proofTypes: option.list({ description: 'Only take these job types (comma-separated circuit names); all when empty', env: 'PROVER_AGENT_PROOF_TYPES' }),
  brokerUrl: option.urls({
    description: 'URL of a remote proving broker (instead of --prover-broker in this process); several comma-separated URLs of replicas on one database: the agent moves on when one stops answering',
    env: 'PROVER_BROKER_URL',
    aliases: ['proverAgent.proverBrokerUrl'],
  }),
  directProofStore: option.boolean({
    description: "Read inputs and write proofs directly in the broker's object proof store (s3://, credentials from the AWS_* env) instead of through the broker",
    env: 'PROVER_AGENT_DIRECT_PROOF_STORE',
    default: true,
  }),
  authToken: option.string({ description: 'Bearer token of the remote broker', env: 'PROVER_AGENT_AUTH_TOKEN', secret: true }),
  pollIntervalMs: option.int({ description: 'Wait between polls when the broker has no job', env: 'PROVER_AGENT_POLL_INTERVAL_MS', default: 100, min: 10 }),
  heartbeatIntervalMs: option.int({ description: 'Heartbeat period while proving; keep it well below the broker job timeout', env: 'PROVER_AGENT_HEARTBEAT_INTERVAL_MS', default: 5_000, min: 10 }),
};
export type ProverAgentConfig = OptionValues<typeof options>;

declare module '@quetzal/kernel/plugin' {
  interface PluginConfigs {
    proverAgent: ProverAgentConfig;
  }
}

export const proverAgentPlugin = definePlugin({
  name: 'prover-agent',
  description: 'Pulls proving jobs from a broker and proves them',
  role: { description: 'pulls proving jobs from a broker and proves them' },
  options,
  // With a broker URL the agent brings its own client; otherwise a broker in this process serves it.
  provides: { fromConfig: (config) => (config.brokerUrl ? [Tokens.ProvingJobConsumer] : []) },
  // A broker in this process is checked by its own plugin.
  checks: (ctx) => remoteBrokerChecks(ctx.config.brokerUrl, ctx.config.authToken, '--prover-agent.auth-token', { agents: false }),
  requires: [Tokens.ProvingJobConsumer, Tokens.CircuitProver],
  remotes: (config) => (config.brokerUrl ? [{ token: Tokens.ProvingJobConsumer, url: config.brokerUrl.join(',') }] : []),
  async start(ctx) {
    const { config } = ctx;
    const bad = (config.proofTypes ?? []).filter((t) => !isProvingJobType(t));
    if (bad.length) throw new Error(`--prover-agent.proof-types: unknown job type(s) ${bad.join(', ')}; use circuit names such as base, merge, root`);
    const remoteBroker = config.brokerUrl ? new ProvingBrokerClient(config.brokerUrl, { authToken: config.authToken }) : undefined;
    // made on first use: only a broker with an s3:// proof store hands out object URIs
    let s3: S3ObjectStore | undefined;
    const objectStore = config.directProofStore
      ? { get: (uri: string) => (s3 ??= new S3ObjectStore()).get(uri), put: (uri: string, data: Uint8Array) => (s3 ??= new S3ObjectStore()).put(uri, data) }
      : undefined;
    if (remoteBroker) ctx.provide(Tokens.ProvingJobConsumer, remoteBroker);
    const consumer = ctx.resolve(Tokens.ProvingJobConsumer);
    const prover = ctx.resolve(Tokens.CircuitProver);
    const agent = new ProvingAgent({
      consumer,
      objectStore,
      prove: (type, inputs, signal) =>
        proveEncoded(prover, type, inputs, signal).catch((err: unknown) => {
          // The circuit refused its inputs: every retry would fail the same way.
          throw err instanceof CircuitExecutionError ? new NonRetryableProvingError(err.message) : err;
        }),
      concurrency: config.count,
      allowList: config.proofTypes as ProvingJobType[] | undefined,
      pollIntervalMs: config.pollIntervalMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      logger: ctx.logger,
    });
    agent.start();
    ctx.logger.info({ count: config.count, broker: remoteBroker?.url ?? 'in-process', prover: prover.kind }, 'proving agent pulling jobs');
    return {
      async stop() {
        await agent.stop();
        remoteBroker?.close();
        s3?.close();
      },
      isReady: () => agent.isReady,
    };
  },
});
