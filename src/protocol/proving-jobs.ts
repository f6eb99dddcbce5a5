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
 * Seconds each circuit takes to prove natively on 2 cores with the dev CRS (DESIGN.md §8: one
 * recursive verification ~13.5 s, two ~27 s). The broker's starting estimates for scheduling,
 * replaced by the proof times it measures.
 */
export const DEFAULT_PROVING_SECONDS: Readonly<Record<ProvingJobType, number>> = {
  'parity-base': 2,
  'parity-root': 27,
  base: 15,
  merge: 27,
  'block-root': 28,
  'block-root-empty': 15,
  'block-merge': 27,
  root: 30,
  'root-single': 16,
};

export type ProvingTimeEstimates = Readonly<Record<ProvingJobType, number>>;

/**
 * Hu's rule for in-trees: the job's own time plus that of every circuit on its path to the epoch's
 * root, i.e. the shortest time in which the epoch can still finish once this job starts. The
 * broker serves the longest first: the leaves far from the root gate everything above them.
 */
export function remainingPathSeconds(type: ProvingJobType, pathToRoot: readonly ProvingJobType[] | undefined, estimates: ProvingTimeEstimates): number {
  let total = estimates[type];
  if (pathToRoot) for (const t of pathToRoot) total += estimates[t];
  return total;
}

/** What the broker orders its queue by. */
export interface ProvingJobPriority {
  epoch: number;
  speculative: boolean;
  /** remainingPathSeconds of the job. */
  remainingSeconds: number;
  /** Enqueue order. */
  seq: number;
}

/**
 * The broker's queue order (negative: `a` first): older epochs first, then claimed work before
 * speculative (prove-ahead) work, then the longest remaining path to the root, then FIFO.
 */
export function compareProvingJobPriority(a: ProvingJobPriority, b: ProvingJobPriority): number {
  return a.epoch - b.epoch || Number(a.speculative) - Number(b.speculative) || b.remainingSeconds - a.remainingSeconds || a.seq - b.seq;
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
  /**
   * The circuits between this job and the epoch's root, parent first, the root last (empty or
   * absent for the root): the broker's scheduling key (remainingPathSeconds). Not part of the id.
   */
  pathToRoot?: ProvingJobType[];
  /**
   * Prove-ahead work for an epoch not (yet) claimed: served after every claimed job of the same
   * epoch, promoted by promoteProvingJobs or by enqueueing the same id as claimed. Not part of the id.
   */
  speculative?: boolean;
}

export interface ProvingJobOptions {
  pathToRoot?: ProvingJobType[];
  speculative?: boolean;
}

/** Builds a job with its deterministic id. */
export function makeProvingJob(epoch: number, type: ProvingJobType, inputs: Uint8Array, options: ProvingJobOptions = {}): ProvingJob {
  const job: ProvingJob = { id: makeProvingJobId(epoch, type, inputs), type, epoch, inputs };
  if (options.pathToRoot?.length) job.pathToRoot = [...options.pathToRoot];
  if (options.speculative) job.speculative = true;
  return job;
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
   * A rejected job stays rejected: to try it again, cancel it, then enqueue it again. Enqueueing
   * a known speculative job as claimed (`speculative` unset) promotes it.
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
  /** What the broker sees of its agents and proving times: a producer plans with it (can an epoch be proven in time?). */
  getProvingCapacity(): Promise<ProvingCapacity>;
  /** The epoch was won: its speculative jobs become claimed work. Returns how many changed. */
  promoteProvingJobs(epoch: number): Promise<number>;
  /**
   * The epoch was lost (or its blocks reorged away): removes its speculative jobs that were not
   * promoted, like cancelProvingJob. Returns how many.
   */
  cancelSpeculativeProvingJobs(epoch: number): Promise<number>;
}

export interface ProvingCapacity {
  /** Agents that asked this broker for work recently. */
  agents: number;
  /** The jobs those agents prove at once, in all (each agent's slots; 1 for an agent that does not say). */
  slots: number;
  /** Seconds per circuit: the running average of measured proof times where the broker has one, else what it schedules with. */
  provingSeconds: ProvingTimeEstimates;
  /** The circuits whose time was measured (the others are scaled defaults). */
  measured: ProvingJobType[];
}

export interface ProvingJobFilter {
  /** Job types the agent proves; empty or absent means all. */
  allowList?: ProvingJobType[];
  /** Names the agent in logs and in the broker's status (last seen, current jobs, proofs per hour); the broker counts agents by it for its capacity. */
  agentId?: string;
  /** Jobs the agent proves at once (its --prover-agent.count): the broker sums them into its capacity. */
  slots?: number;
  /**
   * The agent reads inputs and writes proofs at object-store URIs (s3://...) itself, when the
   * broker's proof store is one: leases then carry inputsUri / resultUri.
   */
  directProofStore?: boolean;
}

/** A job handed to one agent. The lease names this assignment; reports must carry it. */
export interface ProvingJobLease {
  job: ProvingJob;
  lease: string;
  /** Where the inputs are (then `job.inputs` is empty): for agents that asked for directProofStore. */
  inputsUri?: string;
  /** Where the agent writes the proof before reporting success with `{ uri: resultUri }`. */
  resultUri?: string;
}

/** A proof: its bytes, or the URI of the object the agent wrote it to (the lease's resultUri). */
export type ProvingJobResult = Uint8Array | { uri: string };

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
  reportProvingJobSuccess(id: ProvingJobId, lease: string, result: ProvingJobResult, next?: ProvingJobFilter): Promise<ProvingJobReportOutcome>;
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

/** Deeper than any epoch's proof tree (tx merges, block-root, block merges, root). */
export const MAX_PATH_TO_ROOT = 64;

export const zProvingJob = z.object({
  id: zProvingJobId,
  type: zProvingJobType,
  epoch: zEpoch,
  inputs: zBytes,
  pathToRoot: z.array(zProvingJobType).max(MAX_PATH_TO_ROOT).optional(),
  speculative: z.boolean().optional(),
});

export const zProvingJobStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('not-found') }),
  z.object({ status: z.literal('in-queue') }),
  z.object({ status: z.literal('in-progress') }),
  z.object({ status: z.literal('fulfilled'), value: zBytes }),
  z.object({ status: z.literal('rejected'), reason: z.string() }),
]);

/** More proofs at once than one agent could run (a ~2 GB native proof each). */
const MAX_AGENT_SLOTS = 1024;

export const zProvingJobFilter = z.object({
  allowList: z.array(zProvingJobType).max(PROVING_JOB_TYPES.length * 2).optional(),
  agentId: z.string().max(128).optional(),
  directProofStore: z.boolean().optional(),
  slots: z.number().int().min(1).max(MAX_AGENT_SLOTS).optional(),
});

const zObjectUri = z.string().max(2048).regex(/^s3:\/\//, 'expected an s3:// URI');
export const zProvingJobLease = z.object({ job: zProvingJob, lease: zLease, inputsUri: zObjectUri.optional(), resultUri: zObjectUri.optional() });
export const zProvingJobResult = z.union([zBytes, z.object({ uri: zObjectUri })], {
  error: 'expected the proof as 0x-prefixed hex bytes, or {"uri": "s3://..."} naming where the agent wrote it',
});
export const zReportOutcome = z.object({ accepted: z.boolean(), next: zProvingJobLease.optional() });

export const ProvingJobProducerSchema = {
  enqueueProvingJob: { params: z.tuple([zProvingJob]), result: zProvingJobStatus },
  getProvingJobStatus: { params: z.tuple([zProvingJobId]), result: zProvingJobStatus },
  cancelProvingJob: { params: z.tuple([zProvingJobId]), result: z.boolean() },
  waitForProvingJobs: { params: z.tuple([z.array(zProvingJobId).max(10_000), z.number().int().min(0).max(MAX_LONG_POLL_MS)]), result: z.array(zProvingJobId) },
  cleanupEpochsBefore: { params: z.tuple([zEpoch]), result: z.number().int() },
  promoteProvingJobs: { params: z.tuple([zEpoch]), result: z.number().int() },
  cancelSpeculativeProvingJobs: { params: z.tuple([zEpoch]), result: z.number().int() },
  getProvingCapacity: {
    params: z.tuple([]),
    result: z.object({
      agents: z.number().int().min(0),
      slots: z.number().int().min(0),
      provingSeconds: z.record(zProvingJobType, z.number().nonnegative()) as z.ZodType<ProvingTimeEstimates>,
      measured: z.array(zProvingJobType),
    }),
  },
};

export const ProvingJobConsumerSchema = {
  // null on the wire when no job is queued (the RPC adapters map it to and from undefined)
  getProvingJob: { params: z.tuple([zProvingJobFilter.nullish()]), result: zProvingJobLease.nullable() },
  reportProvingJobProgress: { params: z.tuple([zProvingJobId, zLease]), result: z.boolean() },
  abandonProvingJob: { params: z.tuple([zProvingJobId, zLease]), result: z.boolean() },
  reportProvingJobSuccess: { params: z.tuple([zProvingJobId, zLease, zProvingJobResult, zProvingJobFilter.nullish()]), result: zReportOutcome },
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
