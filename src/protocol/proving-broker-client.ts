/**
 * The proving broker seen through JSON-RPC: the one client that remote prover nodes (producers)
 * and prover agents (consumers) use, with failover across broker replicas. It implements the same interfaces as the broker, so a role
 * cannot tell a co-located broker from a remote one. Built on the kernel's JSON-RPC client over one
 * keep-alive transport; calls made in the same event-loop turn share one HTTP request.
 */
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { RpcTransportError } from '@quetzal/kernel/jsonrpc/errors';
import { JsonRpcHttpTransport } from '@quetzal/kernel/jsonrpc/http-transport';
import {
  MAX_LONG_POLL_MS,
  PROVING_BROKER_RPC_NAMESPACE,
  ProvingJobConsumerSchema,
  ProvingJobProducerSchema,
  type ProvingCapacity,
  type ProvingJob,
  type ProvingJobConsumer,
  type ProvingJobFilter,
  type ProvingJobId,
  type ProvingJobLease,
  type ProvingJobProducer,
  type ProvingJobReportOutcome,
  type ProvingJobResult,
  type ProvingJobStatus,
} from './proving-jobs.js';

export interface ProvingBrokerClientOptions {
  authToken?: string;
  /** Per-call time limit (default 30 s; long polls get their own window on top). */
  timeoutMs?: number;
  /** Transport retries of idempotent (producer) calls (default 2). Agent-side calls are never retried here. */
  retries?: number;
  /** Send calls made in the same event-loop turn as one JSON-RPC batch (default true). */
  batch?: boolean;
}

function endpoint(url: string, options: ProvingBrokerClientOptions) {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const batch = options.batch ?? true;
  const transport = new JsonRpcHttpTransport(url, { authToken: options.authToken, batch });
  return {
    transport,
    producer: createJsonRpcClient(transport, PROVING_BROKER_RPC_NAMESPACE, ProvingJobProducerSchema, { timeoutMs, retries: options.retries ?? 2, batch }),
    // getProvingJob hands out a lease: a blind retry could orphan a job until its timeout; the agent retries itself
    consumer: createJsonRpcClient(transport, PROVING_BROKER_RPC_NAMESPACE, ProvingJobConsumerSchema, { timeoutMs, retries: 0, batch }),
    // the long poll's own window (at most MAX_LONG_POLL_MS, see the schema) comes on top of the call's time
    // limit; it never shares a batch (it would hold back the other replies)
    longPoll: createJsonRpcClient(transport, PROVING_BROKER_RPC_NAMESPACE, ProvingJobProducerSchema, { timeoutMs: timeoutMs + MAX_LONG_POLL_MS, retries: 0, batch: false }),
  };
}

type Endpoint = ReturnType<typeof endpoint>;

/**
 * Given several URLs (broker replicas on one PostgreSQL database), the client sticks to one and
 * moves to the next when it stops answering: an idempotent (producer) call is tried on each in
 * turn; any other call fails over for the caller's next attempt (agents and the job tracker retry).
 */
export class ProvingBrokerClient implements ProvingJobProducer, ProvingJobConsumer {
  private readonly endpoints: Endpoint[];
  private current = 0;

  constructor(urls: string | readonly string[], options: ProvingBrokerClientOptions = {}) {
    const list = typeof urls === 'string' ? [urls] : [...urls];
    if (list.length === 0) throw new Error('a broker client needs at least one broker URL');
    this.endpoints = list.map((u) => endpoint(u, options));
  }

  /** The URL of the broker in use, without credentials or query. */
  get url(): string {
    return this.endpoints[this.current]!.transport.url;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    for (const e of this.endpoints) e.transport.close();
  }

  private async call<T>(fn: (e: Endpoint) => Promise<T>, idempotent: boolean): Promise<T> {
    const tries = idempotent ? this.endpoints.length : 1;
    let last: unknown;
    for (let i = 0; i < tries; i++) {
      const at = this.current;
      try {
        return await fn(this.endpoints[at]!);
      } catch (err) {
        if (!(err instanceof RpcTransportError)) throw err;
        last = err;
        // the first caller to see this broker fail moves everyone on
        if (this.current === at) this.current = (at + 1) % this.endpoints.length;
      }
    }
    throw last;
  }

  enqueueProvingJob(job: ProvingJob): Promise<ProvingJobStatus> {
    return this.call((e) => e.producer.enqueueProvingJob(job), true);
  }

  getProvingJobStatus(id: ProvingJobId): Promise<ProvingJobStatus> {
    return this.call((e) => e.producer.getProvingJobStatus(id), true);
  }

  cancelProvingJob(id: ProvingJobId): Promise<boolean> {
    return this.call((e) => e.producer.cancelProvingJob(id), true);
  }

  waitForProvingJobs(ids: ProvingJobId[], timeoutMs: number): Promise<ProvingJobId[]> {
    return this.call((e) => e.longPoll.waitForProvingJobs(ids, timeoutMs), false);
  }

  cleanupEpochsBefore(epoch: number): Promise<number> {
    return this.call((e) => e.producer.cleanupEpochsBefore(epoch), true);
  }

  promoteProvingJobs(epoch: number): Promise<number> {
    return this.call((e) => e.producer.promoteProvingJobs(epoch), true);
  }

  cancelSpeculativeProvingJobs(epoch: number): Promise<number> {
    return this.call((e) => e.producer.cancelSpeculativeProvingJobs(epoch), true);
  }

  getProvingCapacity(): Promise<ProvingCapacity> {
    return this.call((e) => e.producer.getProvingCapacity(), true);
  }

  async getProvingJob(filter?: ProvingJobFilter): Promise<ProvingJobLease | undefined> {
    return (await this.call((e) => e.consumer.getProvingJob(filter ?? {}), false)) ?? undefined;
  }

  reportProvingJobProgress(id: ProvingJobId, lease: string): Promise<boolean> {
    return this.call((e) => e.consumer.reportProvingJobProgress(id, lease), false);
  }

  abandonProvingJob(id: ProvingJobId, lease: string): Promise<boolean> {
    return this.call((e) => e.consumer.abandonProvingJob(id, lease), false);
  }

  reportProvingJobSuccess(id: ProvingJobId, lease: string, result: ProvingJobResult, next?: ProvingJobFilter): Promise<ProvingJobReportOutcome> {
    return this.call((e) => e.consumer.reportProvingJobSuccess(id, lease, result, next ?? null), false);
  }

  reportProvingJobError(id: ProvingJobId, lease: string, reason: string, retry: boolean, next?: ProvingJobFilter): Promise<ProvingJobReportOutcome> {
    return this.call((e) => e.consumer.reportProvingJobError(id, lease, reason, retry, next ?? null), false);
  }
}
