import { join } from 'node:path';
import { definePlugin } from '@quetzal/kernel/plugin';
import { lmdbHeadroomCheck } from '@quetzal/kernel/core-checks';
import { BROKER_MAP_SIZE } from './lmdb-database.js';
import { BROKER_DB_NAME } from './factory.js';
import { option } from '@quetzal/kernel/options';
import { isLoopbackHost } from '@quetzal/kernel/http-server';
import { Tokens } from '@quetzal/protocol/tokens';
import { bindDataDir } from '@quetzal/l1-client';
import { createProvingBroker } from './factory.js';
import { registerProvingBrokerRpc } from './rpc.js';
import { registerProvingBrokerMetrics } from './metrics.js';
import { brokerChecks } from './checks.js';

export const proverBrokerPlugin = definePlugin({
  name: 'prover-broker',
  description: 'Queues proving jobs persistently and hands them to prover agents',
  role: { description: 'queues proving jobs persistently and hands them to prover agents' },
  options: {
    authToken: option.string({ description: 'Bearer token agents and producers must send', env: 'PROVER_BROKER_AUTH_TOKEN', secret: true }),
    jobTimeoutMs: option.int({ description: 'A job not heartbeated for this long goes back to the queue', env: 'PROVER_BROKER_JOB_TIMEOUT_MS', default: 30_000, min: 100 }),
    maxAttempts: option.int({ description: 'Attempts (retryable errors and timeouts) before a job is given up', env: 'PROVER_BROKER_MAX_ATTEMPTS', default: 3, min: 1 }),
    inlineProofMaxBytes: option.int({ description: 'Payloads above this size go to the proof store directory instead of the database', env: 'PROVER_BROKER_INLINE_PROOF_MAX_BYTES', default: 16 * 1024, min: 0 }),
    retainEpochs: option.int({ description: 'Keep jobs and proofs of only this many most recent epochs (older ones are removed); unset: producers clean up', env: 'PROVER_BROKER_RETAIN_EPOCHS', min: 1 }),
    inMemory: option.boolean({ description: 'Keep jobs in memory only (tests and throwaway networks): nothing survives a restart', env: 'PROVER_BROKER_IN_MEMORY' }),
    database: option.string({
      description: 'postgres://user:password@host:port/db: keep the queue in PostgreSQL, shared by every broker on that database (replicas); default: LMDB in the data directory',
      env: 'PROVER_BROKER_DATABASE',
      secret: true,
    }),
    databasePoolSize: option.int({ description: 'PostgreSQL connections per broker', env: 'PROVER_BROKER_DATABASE_POOL_SIZE', default: 16, min: 1 }),
    proofStore: option.string({
      description: 'Where inputs and proofs above the inline size go: inline, directory (<data-dir>/proofs; the default with LMDB), file:///path, or s3://bucket/prefix (AWS_* env: endpoint, region, path style, credentials; agents then read and write there directly). Default with PostgreSQL: inline',
      env: 'PROVER_BROKER_PROOF_STORE',
    }),
  },
  provides: [Tokens.ProvingJobProducer, Tokens.ProvingJobConsumer],
  checks: (ctx) => [
    ...brokerChecks({ url: async () => (await ctx.node()).url, token: ctx.config.authToken, tokenFlag: '--prover-broker.auth-token' }, { agents: true }),
    ...(ctx.config.inMemory ? [] : [lmdbHeadroomCheck('broker-lmdb', join(ctx.dataDir, BROKER_DB_NAME), BROKER_MAP_SIZE)]),
  ],
  // With an L1 in this process, the queue belongs to its deployment: jobs of a previous local chain are not restored.
  uses: [Tokens.L1],
  async start(ctx) {
    const { config } = ctx;
    if (config.database && config.inMemory) throw new Error('--prover-broker.database and --prover-broker.in-memory exclude each other: pick one');
    const l1 = ctx.resolveOptional(Tokens.L1);
    if (l1 && !config.inMemory && !config.database) bindDataDir(ctx.dataDir, l1, ctx.logger);
    if (!config.authToken && !isLoopbackHost(ctx.core.host)) {
      ctx.logger.warn(
        { host: ctx.core.host },
        'the broker listens on a non-loopback address without a token: anyone who reaches this port can take, cancel or poison proving jobs; set --prover-broker.auth-token',
      );
    }
    const broker = await createProvingBroker({
      database: config.database,
      databasePoolSize: config.databasePoolSize,
      proofStore: config.proofStore,
      dataDirectory: config.inMemory ? undefined : ctx.dataDir,
      inlineThresholdBytes: config.inlineProofMaxBytes,
      jobTimeoutMs: config.jobTimeoutMs,
      maxAttempts: config.maxAttempts,
      retainEpochs: config.retainEpochs,
      logger: ctx.logger,
    });
    registerProvingBrokerMetrics(ctx.metrics, broker);
    registerProvingBrokerRpc(ctx.rpc, broker, { authToken: config.authToken });
    ctx.provide(Tokens.ProvingJobProducer, broker);
    ctx.provide(Tokens.ProvingJobConsumer, broker);
    ctx.logger.info(
      { database: config.database ? 'postgres' : config.inMemory ? 'memory' : 'lmdb', dataDir: config.inMemory ? undefined : ctx.dataDir, proofStore: config.proofStore, auth: Boolean(config.authToken) },
      'proving broker serving on JSON-RPC',
    );
    return { stop: () => broker.stop() };
  },
});
