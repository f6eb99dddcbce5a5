/**
 * The broker over JSON-RPC (namespace `proverBroker`, methods `proverBroker_<name>`), and a client
 * that implements the same ProvingJobProducer / ProvingJobConsumer interfaces as the broker, so a
 * remote role and a co-located one cannot tell the difference.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { RpcError, RpcErrorCode, RpcRemoteError, RpcTransportError } from '@quetzal/kernel/jsonrpc/errors';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import { rpcMethodName, type MethodSchemas, type RpcApi, type RpcHandlers } from '@quetzal/kernel/jsonrpc/schema';
import type { Logger } from '@quetzal/kernel/logging';
import {
  MAX_LONG_POLL_MS,
  PROVING_BROKER_RPC_NAMESPACE,
  ProvingBrokerSchema,
  ProvingBrokerStatusSchema,
  ProvingJobConsumerSchema,
  ProvingJobProducerSchema,
  type ProvingJob,
  type ProvingJobConsumer,
  type ProvingJobFilter,
  type ProvingJobId,
  type ProvingJobLease,
  type ProvingJobProducer,
  type ProvingJobReportOutcome,
  type ProvingJobStatus,
  type ProvingBrokerStatus,
} from '@quetzal/protocol/proving-jobs';
import { ProvingBrokerError } from './broker.js';

/** Default request body limit: inputs and proofs travel hex-encoded (twice their size). */
export const DEFAULT_BROKER_MAX_BODY_BYTES = 64 * 1024 * 1024;

type Broker = ProvingJobProducer & ProvingJobConsumer & { status?(): ProvingBrokerStatus };

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
    getProvingJob: wrap(async (filter?: ProvingJobFilter | null) => (await broker.getProvingJob(filter ?? undefined)) ?? null),
    reportProvingJobProgress: wrap((id: ProvingJobId, lease: string) => broker.reportProvingJobProgress(id, lease)),
    abandonProvingJob: wrap((id: ProvingJobId, lease: string) => broker.abandonProvingJob(id, lease)),
    reportProvingJobSuccess: wrap((id: ProvingJobId, lease: string, result: Uint8Array, next?: ProvingJobFilter | null) =>
      broker.reportProvingJobSuccess(id, lease, result, next ?? undefined),
    ),
    reportProvingJobError: wrap((id: ProvingJobId, lease: string, reason: string, retry: boolean, next?: ProvingJobFilter | null) =>
      broker.reportProvingJobError(id, lease, reason, retry, next ?? undefined),
    ),
  };
  server.register(PROVING_BROKER_RPC_NAMESPACE, ProvingBrokerSchema, handlers, options);
  const status = broker.status?.bind(broker);
  if (status) server.register(PROVING_BROKER_RPC_NAMESPACE, ProvingBrokerStatusSchema, { getStatus: async () => status() });
}

export interface ProvingBrokerClientOptions {
  authToken?: string;
  /** Per-call time limit (default 30 s; long polls get their own window on top). */
  timeoutMs?: number;
  /** Transport retries of idempotent calls (default 2). Agent-side calls are never retried here. */
  retries?: number;
  /** Send calls made in the same event-loop turn as one JSON-RPC batch (default true). */
  batch?: boolean;
}

/** The broker seen through JSON-RPC over HTTP. */
export class ProvingBrokerClient implements ProvingJobProducer, ProvingJobConsumer {
  private readonly producer;
  private readonly consumer;
  private readonly longPoll;
  private readonly timeoutMs: number;
  private readonly transport: HttpTransport;

  constructor(
    readonly url: string,
    options: ProvingBrokerClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const transport = (this.transport = new HttpTransport(url, options.authToken, options.batch ?? true));
    this.producer = typedClient(transport, ProvingJobProducerSchema, { timeoutMs: this.timeoutMs, retries: options.retries ?? 2, batchable: true });
    // getProvingJob hands out a lease: a blind retry could orphan a job until its timeout; the agent retries itself
    this.consumer = typedClient(transport, ProvingJobConsumerSchema, { timeoutMs: this.timeoutMs, retries: 0, batchable: true });
    // the long poll's own window (at most MAX_LONG_POLL_MS, see the schema) comes on top of the call's time
    // limit; it never shares a batch (it would hold back the other replies)
    this.longPoll = typedClient(transport, ProvingJobProducerSchema, { timeoutMs: this.timeoutMs + MAX_LONG_POLL_MS, retries: 0, batchable: false });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.transport.close();
  }

  enqueueProvingJob(job: ProvingJob): Promise<ProvingJobStatus> {
    return this.producer.enqueueProvingJob(job);
  }

  getProvingJobStatus(id: ProvingJobId): Promise<ProvingJobStatus> {
    return this.producer.getProvingJobStatus(id);
  }

  cancelProvingJob(id: ProvingJobId): Promise<boolean> {
    return this.producer.cancelProvingJob(id);
  }

  waitForProvingJobs(ids: ProvingJobId[], timeoutMs: number): Promise<ProvingJobId[]> {
    return this.longPoll.waitForProvingJobs(ids, timeoutMs);
  }

  cleanupEpochsBefore(epoch: number): Promise<number> {
    return this.producer.cleanupEpochsBefore(epoch);
  }

  async getProvingJob(filter?: ProvingJobFilter): Promise<ProvingJobLease | undefined> {
    return (await this.consumer.getProvingJob(filter ?? {})) ?? undefined;
  }

  reportProvingJobProgress(id: ProvingJobId, lease: string): Promise<boolean> {
    return this.consumer.reportProvingJobProgress(id, lease);
  }

  abandonProvingJob(id: ProvingJobId, lease: string): Promise<boolean> {
    return this.consumer.abandonProvingJob(id, lease);
  }

  reportProvingJobSuccess(id: ProvingJobId, lease: string, result: Uint8Array, next?: ProvingJobFilter): Promise<ProvingJobReportOutcome> {
    return this.consumer.reportProvingJobSuccess(id, lease, result, next ?? null);
  }

  reportProvingJobError(id: ProvingJobId, lease: string, reason: string, retry: boolean, next?: ProvingJobFilter): Promise<ProvingJobReportOutcome> {
    return this.consumer.reportProvingJobError(id, lease, reason, retry, next ?? null);
  }
}

type JsonRpcReply = { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

interface PendingCall {
  id: number;
  json: string;
  timeoutMs: number;
  resolve(reply: JsonRpcReply): void;
  reject(err: unknown): void;
}

/** Calls queued in the same event-loop turn go out as one JSON-RPC batch, up to these limits. */
const BATCH_MAX_CALLS = 256;
const BATCH_MAX_BYTES = 1024 * 1024;

/**
 * JSON-RPC over node:http with keep-alive connections. The same wire format and errors as the
 * kernel's client (`createJsonRpcClient`), without fetch's per-request overhead (web streams,
 * abort signals), which dominated the broker's CPU time in the benchmark. Calls made in the same
 * event-loop turn (an agent's slots, a producer enqueueing a block's jobs) share one HTTP request
 * as a JSON-RPC batch; large calls and long polls travel alone.
 */
class HttpTransport {
  private readonly agent: Agent;
  private readonly request: typeof request;
  private readonly target: URL;
  private readonly headers: Record<string, string>;
  private nextId = 1;
  private pending: PendingCall[] = [];
  private scheduled = false;

  constructor(
    readonly url: string,
    authToken: string | undefined,
    private readonly batching: boolean,
  ) {
    this.target = new URL(url);
    if (this.target.protocol !== 'http:' && this.target.protocol !== 'https:') throw new Error(`broker URL ${url}: use http:// or https://`);
    const tls = this.target.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 };
    this.agent = tls ? new HttpsAgent(agentOptions) : new Agent(agentOptions);
    this.request = (tls ? httpsRequest : request) as typeof request;
    this.headers = { 'content-type': 'application/json' };
    if (authToken) this.headers.authorization = `Bearer ${authToken}`;
  }

  close(): void {
    this.agent.destroy();
  }

  /** Resolves with the call's JSON-RPC reply; rejects on transport failure. */
  call(method: string, params: unknown, timeoutMs: number, batchable: boolean): Promise<JsonRpcReply> {
    const id = this.nextId++;
    const json = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    if (!this.batching || !batchable || json.length > BATCH_MAX_BYTES / 4) return this.send(json, timeoutMs, method) as Promise<JsonRpcReply>;
    return new Promise((resolve, reject) => {
      this.pending.push({ id, json, timeoutMs, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const calls = this.pending;
    this.pending = [];
    let chunk: PendingCall[] = [];
    let bytes = 0;
    for (const call of calls) {
      if (chunk.length >= BATCH_MAX_CALLS || (chunk.length > 0 && bytes + call.json.length > BATCH_MAX_BYTES)) {
        this.sendBatch(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(call);
      bytes += call.json.length + 1;
    }
    if (chunk.length > 0) this.sendBatch(chunk);
  };

  private sendBatch(calls: PendingCall[]): void {
    if (calls.length === 1) {
      const [c] = calls as [PendingCall];
      this.send(c.json, c.timeoutMs, 'call').then((r) => c.resolve(r as JsonRpcReply), c.reject);
      return;
    }
    const timeoutMs = Math.max(...calls.map((c) => c.timeoutMs));
    this.send(`[${calls.map((c) => c.json).join(',')}]`, timeoutMs, 'batch').then(
      (replies) => {
        if (!Array.isArray(replies)) {
          const reply = replies as JsonRpcReply;
          if (reply?.error?.code === RpcErrorCode.PayloadTooLarge) {
            // the batch is over the server's body limit, maybe not each call: send them one by one
            for (const c of calls) this.sendBatch([c]);
            return;
          }
          // one error for the whole request (auth, parse): it answers every call
          for (const c of calls) c.resolve(reply);
          return;
        }
        const byId = new Map<unknown, JsonRpcReply>();
        for (const r of replies as JsonRpcReply[]) byId.set(r?.id, r);
        for (const c of calls) {
          const reply = byId.get(c.id);
          if (reply) c.resolve(reply);
          else c.reject(new Error(`${this.url} sent no reply for call ${c.id} of a batch`));
        }
      },
      (err) => {
        for (const c of calls) c.reject(err);
      },
    );
  }

  /** One POST; resolves with the parsed JSON body, rejects on transport failure. */
  private send(body: string, timeoutMs: number, what: string): Promise<unknown> {
    const payload = Buffer.from(body);
    return new Promise((resolve, reject) => {
      const req = this.request(
        {
          host: this.target.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: this.target.port || (this.target.protocol === 'https:' ? 443 : 80),
          path: this.target.pathname + this.target.search,
          method: 'POST',
          agent: this.agent,
          headers: { ...this.headers, 'content-length': payload.length },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(new HttpStatusError(res.statusCode ?? 0, `${what}: ${this.url} answered HTTP ${res.statusCode} with a body that is not JSON-RPC`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function typedClient<S extends MethodSchemas>(transport: HttpTransport, schemas: S, options: { timeoutMs: number; retries: number; batchable: boolean }): RpcApi<S> {
  const client: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [method, schema] of Object.entries(schemas)) {
    const name = rpcMethodName(PROVING_BROKER_RPC_NAMESPACE, method);
    client[method] = async (...args: unknown[]) => {
      const params = z.encode(schema.params, args as never);
      let lastError: unknown;
      for (let attempt = 0; attempt <= options.retries; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
        let reply;
        try {
          reply = await transport.call(name, params, options.timeoutMs, options.batchable);
        } catch (err) {
          if (err instanceof HttpStatusError && err.status < 500) throw new RpcTransportError(err.message);
          lastError = err;
          continue;
        }
        if (reply.error) throw new RpcRemoteError(name, reply.error.code, reply.error.message, reply.error.data);
        const decoded = z.safeDecode(schema.result, reply.result as never);
        if (!decoded.success) throw new RpcTransportError(`${name}: ${transport.url} returned a result that does not match the schema: ${decoded.error.message}`);
        return decoded.data;
      }
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new RpcTransportError(`${name}: no answer from ${transport.url} after ${options.retries + 1} attempt(s): ${reason}`, { cause: lastError });
    };
  }
  return client as RpcApi<S>;
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
