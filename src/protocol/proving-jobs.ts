/**
 * Proving jobs: what the prover node (producer) asks the broker to prove, and what agents
 * (consumers) pull from it. The same two interfaces are served in-process (direct calls) and over
 * JSON-RPC (the schemas below), so a caller cannot tell a co-located broker from a remote one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { zBytes } from '@quetzal/kernel/jsonrpc/codec';
import { CIRCUIT_NAMES, type CircuitName } from './circuit-names.js';

/** The circuits a broker proves: every protocol circuit except `tx` (senders prove that one). */
export type ProvingJobType = Exclude<CircuitName, 'tx'>;
export const PROVING_JOB_TYPES = CIRCUIT_NAMES.filter((n): n is ProvingJobType => n !== 'tx');

/**
 * Nearness to the root: lower is served first (within one epoch; older epochs always go first).
 * root > block-merge > block-root > merge / parity-root > base / parity-base. A circuit missing
 * here ranks with the leaves.
 */
export const PROVING_JOB_RANK: Readonly<Partial<Record<ProvingJobType, number>>> = {
  root: 0,
  'root-single': 0,
  'block-merge': 1,
  'block-root': 2,
  'block-root-empty': 2,
  merge: 3,
  'parity-root': 3,
  base: 4,
  'parity-base': 4,
};

export function provingJobRank(type: ProvingJobType): number {
  return PROVING_JOB_RANK[type] ?? 4;
}

const JOB_TYPES: ReadonlySet<string> = new Set(PROVING_JOB_TYPES);

export function isProvingJobType(value: unknown): value is ProvingJobType {
  return typeof value === 'string' && JOB_TYPES.has(value);
}

/** `epoch:type:sha256(inputs)` (64 lowercase hex chars). */
export type ProvingJobId = string;

export function makeProvingJobId(epoch: number, type: ProvingJobType, inputs: Uint8Array): ProvingJobId {
  return `${epoch}:${type}:${createHash('sha256').update(inputs).digest('hex')}`;
}

const JOB_ID = /^(0|[1-9][0-9]{0,15}):([a-z-]+):([0-9a-f]{64})$/;

/** Splits a job id; undefined when it is not a well-formed one. */
export function parseProvingJobId(id: string): { epoch: number; type: ProvingJobType; hash: string } | undefined {
  const m = JOB_ID.exec(id);
  if (!m || !isProvingJobType(m[2])) return undefined;
  const epoch = Number(m[1]);
  if (!Number.isSafeInteger(epoch)) return undefined;
  return { epoch, type: m[2], hash: m[3]! };
}

export interface ProvingJob {
  id: ProvingJobId;
  type: ProvingJobType;
  epoch: number;
  /** The circuit's inputs, encoded by the producer; the broker treats them as opaque bytes. */
  inputs: Uint8Array;
}

/** Builds a job with its deterministic id. */
export function makeProvingJob(epoch: number, type: ProvingJobType, inputs: Uint8Array): ProvingJob {
  return { id: makeProvingJobId(epoch, type, inputs), type, epoch, inputs };
}

export type ProvingJobSettledResult = { status: 'fulfilled'; value: Uint8Array } | { status: 'rejected'; reason: string };

export type ProvingJobStatus = { status: 'not-found' } | { status: 'in-queue' } | { status: 'in-progress' } | ProvingJobSettledResult;

export function isSettled(status: ProvingJobStatus): status is ProvingJobSettledResult {
  return status.status === 'fulfilled' || status.status === 'rejected';
}

/** What the prover node uses. */
export interface ProvingJobProducer {
  /**
   * Adds a job; resolves once it is durable. Idempotent: an id the broker already knows returns
   * its current status, including a finished result (so a restarted producer re-uses proofs).
   * A rejected job stays rejected: to try it again, cancel it, then enqueue it again.
   */
  enqueueProvingJob(job: ProvingJob): Promise<ProvingJobStatus>;
  getProvingJobStatus(id: ProvingJobId): Promise<ProvingJobStatus>;
  /**
   * Removes a job and its result; an agent still proving it is told to stop at its next
   * heartbeat. False when the id was unknown.
   */
  cancelProvingJob(id: ProvingJobId): Promise<boolean>;
  /**
   * Long poll: resolves with the ids among `ids` that are settled or unknown, as soon as there is
   * at least one, or with [] after `timeoutMs`.
   */
  waitForProvingJobs(ids: ProvingJobId[], timeoutMs: number): Promise<ProvingJobId[]>;
  /** Garbage collection: removes every job and result of the epochs before `epoch`; returns how many. */
  cleanupEpochsBefore(epoch: number): Promise<number>;
}

export interface ProvingJobFilter {
  /** Job types the agent proves; empty or absent means all. */
  allowList?: ProvingJobType[];
  /** Names the agent in logs and in the broker's status (last seen, current jobs, proofs per hour). */
  agentId?: string;
}

/** A job handed to one agent. The lease names this assignment; reports must carry it. */
export interface ProvingJobLease {
  job: ProvingJob;
  lease: string;
}

export interface ProvingJobReportOutcome {
  /** False when the report was ignored (the agent no longer owns the job, or it is settled or gone). */
  accepted: boolean;
  /** The agent's next job, when it passed a filter and one is queued. */
  next?: ProvingJobLease;
}

/** What prover agents use. */
export interface ProvingJobConsumer {
  /** Takes the highest-priority queued job allowed by the filter. */
  getProvingJob(filter?: ProvingJobFilter): Promise<ProvingJobLease | undefined>;
  /** Heartbeat; false means "stop: the job is no longer yours". */
  reportProvingJobProgress(id: ProvingJobId, lease: string): Promise<boolean>;
  /** Resolves once the result is durable. Passing `next` fetches the next job in the same call. */
  reportProvingJobSuccess(id: ProvingJobId, lease: string, result: Uint8Array, next?: ProvingJobFilter): Promise<ProvingJobReportOutcome>;
  /**
   * Gives a job back without a failure (the agent is stopping): it is queued again at once and no
   * attempt is counted. False when the agent did not own it.
   */
  abandonProvingJob(id: ProvingJobId, lease: string): Promise<boolean>;
  /** `retry`: the failure may be transient; the broker retries up to its limit. */
  reportProvingJobError(id: ProvingJobId, lease: string, reason: string, retry: boolean, next?: ProvingJobFilter): Promise<ProvingJobReportOutcome>;
}

/**
 * Enqueues a job and waits for its result: resolves with the proof or throws with the reason it
 * was rejected. `pollMs` is the long-poll window.
 */
export async function proveWith(producer: ProvingJobProducer, job: ProvingJob, options: { signal?: AbortSignal; pollMs?: number } = {}): Promise<Uint8Array> {
  const { signal, pollMs = 10_000 } = options;
  let status = await producer.enqueueProvingJob(job);
  while (!isSettled(status)) {
    signal?.throwIfAborted();
    if (status.status === 'not-found') throw new Error(`proving job ${job.id} was cancelled`);
    await producer.waitForProvingJobs([job.id], Math.min(pollMs, MAX_LONG_POLL_MS));
    signal?.throwIfAborted();
    status = await producer.getProvingJobStatus(job.id);
  }
  if (status.status === 'rejected') throw new Error(`proving job ${job.id} failed: ${status.reason}`);
  return status.value;
}

// ---- JSON-RPC schemas (namespace `proverBroker`) ----

export const PROVING_BROKER_RPC_NAMESPACE = 'proverBroker';

const MAX_EPOCH = 2 ** 53 - 1;
/** Longest long poll (waitForProvingJobs), well under HTTP servers' request time limits. */
export const MAX_LONG_POLL_MS = 120_000;
export const zProvingJobType = z.enum(PROVING_JOB_TYPES as [ProvingJobType, ...ProvingJobType[]]);
export const zProvingJobId = z.string().max(128).regex(JOB_ID, 'expected a job id "epoch:type:<64 hex sha256 of inputs>"');
export const zEpoch = z.number().int().min(0).max(MAX_EPOCH);
export const zLease = z.string().min(1).max(64);

export const zProvingJob = z.object({
  id: zProvingJobId,
  type: zProvingJobType,
  epoch: zEpoch,
  inputs: zBytes,
});

export const zProvingJobStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('not-found') }),
  z.object({ status: z.literal('in-queue') }),
  z.object({ status: z.literal('in-progress') }),
  z.object({ status: z.literal('fulfilled'), value: zBytes }),
  z.object({ status: z.literal('rejected'), reason: z.string() }),
]);

export const zProvingJobFilter = z.object({
  allowList: z.array(zProvingJobType).max(PROVING_JOB_TYPES.length * 2).optional(),
  agentId: z.string().max(128).optional(),
});

export const zProvingJobLease = z.object({ job: zProvingJob, lease: zLease });
export const zReportOutcome = z.object({ accepted: z.boolean(), next: zProvingJobLease.optional() });

export const ProvingJobProducerSchema = {
  enqueueProvingJob: { params: z.tuple([zProvingJob]), result: zProvingJobStatus },
  getProvingJobStatus: { params: z.tuple([zProvingJobId]), result: zProvingJobStatus },
  cancelProvingJob: { params: z.tuple([zProvingJobId]), result: z.boolean() },
  waitForProvingJobs: { params: z.tuple([z.array(zProvingJobId).max(10_000), z.number().int().min(0).max(MAX_LONG_POLL_MS)]), result: z.array(zProvingJobId) },
  cleanupEpochsBefore: { params: z.tuple([zEpoch]), result: z.number().int() },
};

export const ProvingJobConsumerSchema = {
  // null on the wire when no job is queued (the RPC adapters map it to and from undefined)
  getProvingJob: { params: z.tuple([zProvingJobFilter.nullish()]), result: zProvingJobLease.nullable() },
  reportProvingJobProgress: { params: z.tuple([zProvingJobId, zLease]), result: z.boolean() },
  abandonProvingJob: { params: z.tuple([zProvingJobId, zLease]), result: z.boolean() },
  reportProvingJobSuccess: { params: z.tuple([zProvingJobId, zLease, zBytes, zProvingJobFilter.nullish()]), result: zReportOutcome },
  reportProvingJobError: { params: z.tuple([zProvingJobId, zLease, z.string().max(10_000), z.boolean(), zProvingJobFilter.nullish()]), result: zReportOutcome },
};

/** Every broker method, producer and consumer side, under one namespace. */
export const ProvingBrokerSchema = { ...ProvingJobProducerSchema, ...ProvingJobConsumerSchema };

export const zProvingBrokerStatus = z.object({
  /** Jobs per circuit type that are queued or being proved. */
  queue: z.array(z.object({ type: zProvingJobType, queued: z.number().int(), inProgress: z.number().int() })),
  /** Agents that asked for work or heartbeated in the last hour, most recently seen first. */
  agents: z.array(
    z.object({
      id: z.string(),
      /** Unix ms of its last poll, heartbeat or report. */
      lastSeenAt: z.number(),
      jobs: z.array(z.object({ id: zProvingJobId, type: zProvingJobType, epoch: zEpoch })),
      /** Proofs it delivered in the last hour. */
      provedLastHour: z.number().int(),
    }),
  ),
});
export type ProvingBrokerStatus = z.infer<typeof zProvingBrokerStatus>;

/**
 * Read-only view for operators (the dashboard, `quetzal doctor`): like /metrics, it answers
 * without the broker's token, and reveals no inputs or proofs.
 */
export const ProvingBrokerStatusSchema = {
  getStatus: { params: z.tuple([]), result: zProvingBrokerStatus },
};
