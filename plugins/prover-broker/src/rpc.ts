/**
 * The broker over JSON-RPC (namespace `proverBroker`, methods `proverBroker_<name>`). Its client is
 * `ProvingBrokerClient` in @quetzal/protocol/proving-broker-client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RpcError, RpcErrorCode } from '@quetzal/kernel/jsonrpc/errors';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import type { RpcHandlers } from '@quetzal/kernel/jsonrpc/schema';
import type { Logger } from '@quetzal/kernel/logging';
import {
  PROVING_BROKER_RPC_NAMESPACE,
  ProvingBrokerSchema,
  ProvingBrokerStatusSchema,
  type ProvingJob,
  type ProvingJobConsumer,
  type ProvingJobFilter,
  type ProvingJobId,
  type ProvingJobProducer,
  type ProvingJobResult,
  type ProvingBrokerStatus,
} from '@quetzal/protocol/proving-jobs';
import { ProvingBrokerError } from './service.js';

/** Default request body limit: inputs and proofs travel hex-encoded (twice their size). */
export const DEFAULT_BROKER_MAX_BODY_BYTES = 64 * 1024 * 1024;

type Broker = ProvingJobProducer & ProvingJobConsumer & { status?(): Promise<ProvingBrokerStatus> };

/** Registers the broker's methods on a JSON-RPC server (the kernel's, or one of your own). */
export function registerProvingBrokerRpc(server: JsonRpcServer, broker: Broker, options: { authToken?: string } = {}): void {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof ProvingBrokerError) throw new RpcError(RpcErrorCode.ApplicationError, err.message);
        throw err;
      }
    };
  const handlers: RpcHandlers<typeof ProvingBrokerSchema> = {
    enqueueProvingJob: wrap((job: ProvingJob) => broker.enqueueProvingJob(job)),
    getProvingJobStatus: wrap((id: ProvingJobId) => broker.getProvingJobStatus(id)),
    cancelProvingJob: wrap((id: ProvingJobId) => broker.cancelProvingJob(id)),
    waitForProvingJobs: wrap((ids: ProvingJobId[], timeoutMs: number) => broker.waitForProvingJobs(ids, timeoutMs)),
    cleanupEpochsBefore: wrap((epoch: number) => broker.cleanupEpochsBefore(epoch)),
    promoteProvingJobs: wrap((epoch: number) => broker.promoteProvingJobs(epoch)),
    cancelSpeculativeProvingJobs: wrap((epoch: number) => broker.cancelSpeculativeProvingJobs(epoch)),
    getProvingCapacity: wrap(() => broker.getProvingCapacity()),
    getProvingJob: wrap(async (filter?: ProvingJobFilter | null) => (await broker.getProvingJob(filter ?? undefined)) ?? null),
    reportProvingJobProgress: wrap((id: ProvingJobId, lease: string) => broker.reportProvingJobProgress(id, lease)),
    abandonProvingJob: wrap((id: ProvingJobId, lease: string) => broker.abandonProvingJob(id, lease)),
    reportProvingJobSuccess: wrap((id: ProvingJobId, lease: string, result: ProvingJobResult, next?: ProvingJobFilter | null) =>
      broker.reportProvingJobSuccess(id, lease, result, next ?? undefined),
    ),
    reportProvingJobError: wrap((id: ProvingJobId, lease: string, reason: string, retry: boolean, next?: ProvingJobFilter | null) =>
      broker.reportProvingJobError(id, lease, reason, retry, next ?? undefined),
    ),
  };
  server.register(PROVING_BROKER_RPC_NAMESPACE, ProvingBrokerSchema, handlers, options);
  const status = broker.status?.bind(broker);
  if (status) server.register(PROVING_BROKER_RPC_NAMESPACE, ProvingBrokerStatusSchema, { getStatus: () => status() });
}

export interface ProvingBrokerServerOptions {
  broker: Broker;
  logger: Logger;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  authToken?: string;
  maxBodyBytes?: number;
}

/**
 * A standalone HTTP server carrying only the broker's JSON-RPC (for tests, benchmarks and entry
 * scripts; under `quetzal start` the kernel's HTTP server carries it with the other namespaces).
 */
export async function startProvingBrokerServer(options: ProvingBrokerServerOptions): Promise<{ url: string; port: number; rpc: JsonRpcServer; close(): Promise<void> }> {
  const rpc = new JsonRpcServer({ maxBodyBytes: options.maxBodyBytes ?? DEFAULT_BROKER_MAX_BODY_BYTES, authToken: options.authToken, logger: options.logger });
  registerProvingBrokerRpc(rpc, options.broker);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' }).end('{"error":"POST JSON-RPC 2.0 requests"}');
      return;
    }
    rpc.handleHttp(req, res).catch((err) => {
      options.logger.error({ err }, 'JSON-RPC request failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    rpc,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
