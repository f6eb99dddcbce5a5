/**
 * The proving broker seen through JSON-RPC: the one client that remote prover nodes (producers)
 * and prover agents (consumers) use. It implements the same interfaces as the broker, so a role
 * cannot tell a co-located broker from a remote one. Built on the kernel's JSON-RPC client over one
 * keep-alive transport; calls made in the same event-loop turn share one HTTP request.
 */
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { JsonRpcHttpTransport } from '@quetzal/kernel/jsonrpc/http-transport';
import {
  MAX_LONG_POLL_MS,
  PROVING_BROKER_RPC_NAMESPACE,
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

export class ProvingBrokerClient implements ProvingJobProducer, ProvingJobConsumer {
  private readonly producer;
  private readonly consumer;
  private readonly longPoll;
  private readonly transport: JsonRpcHttpTransport;

  constructor(url: string, options: ProvingBrokerClientOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const batch = options.batch ?? true;
    const transport = (this.transport = new JsonRpcHttpTransport(url, { authToken: options.authToken, batch }));
    this.producer = createJsonRpcClient(transport, PROVING_BROKER_RPC_NAMESPACE, ProvingJobProducerSchema, { timeoutMs, retries: options.retries ?? 2, batch });
    // getProvingJob hands out a lease: a blind retry could orphan a job until its timeout; the agent retries itself
    this.consumer = createJsonRpcClient(transport, PROVING_BROKER_RPC_NAMESPACE, ProvingJobConsumerSchema, { timeoutMs, retries: 0, batch });
    // the long poll's own window (at most MAX_LONG_POLL_MS, see the schema) comes on top of the call's time
    // limit; it never shares a batch (it would hold back the other replies)
    this.longPoll = createJsonRpcClient(transport, PROVING_BROKER_RPC_NAMESPACE, ProvingJobProducerSchema, { timeoutMs: timeoutMs + MAX_LONG_POLL_MS, retries: 0, batch: false });
  }

  /** The broker's URL without credentials or query. */
  get url(): string {
    return this.transport.url;
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

  promoteProvingJobs(epoch: number): Promise<number> {
    return this.producer.promoteProvingJobs(epoch);
  }

  cancelSpeculativeProvingJobs(epoch: number): Promise<number> {
    return this.producer.cancelSpeculativeProvingJobs(epoch);
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
