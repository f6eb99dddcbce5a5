/**
 * What every broker implementation is: the embedded one (memory or LMDB, one process) and the
 * PostgreSQL one (several replicas on one queue) serve the same producer and consumer interfaces
 * with the same semantics (one conformance suite checks both), and share their options, errors,
 * counters and request checks.
 */
import { isProvingJobType, makeProvingJobId, parseProvingJobId, type ProvingBrokerStatus, type ProvingJob, type ProvingJobConsumer, type ProvingJobProducer } from '@quetzal/protocol/proving-jobs';
import type { ProvingTimeEstimator } from './estimates.js';
import type { ProofStore } from './proof-store.js';

/** Minimal logger (pino-compatible). */
export interface BrokerLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options every implementation takes. */
export interface ProvingBrokerCommonOptions {
  /** Where inputs and proofs go (default: inline in the database). */
  proofStore?: ProofStore;
  /** A job whose agent sent no heartbeat for this long goes back to the queue (default 30 s). */
  jobTimeoutMs?: number;
  /** How often timeouts are checked (default jobTimeoutMs / 4, at most 1 s). */
  timeoutCheckIntervalMs?: number;
  /** Attempts (errors reported as retryable, and timeouts) before a job is rejected (default 3). */
  maxAttempts?: number;
  /** Check that each job id is `epoch:type:sha256(inputs)` of its job (default true). */
  verifyJobIds?: boolean;
  /**
   * Automatic garbage collection: when a job of epoch E is enqueued, the jobs of epochs before
   * E - retainEpochs are removed. Off by default (producers call cleanupEpochsBefore).
   */
  retainEpochs?: number;
  logger?: BrokerLogger;
  /** Clock, for tests. */
  now?: () => number;
}

export function timeoutSettings(o: ProvingBrokerCommonOptions): { jobTimeoutMs: number; checkIntervalMs: number; maxAttempts: number } {
  const jobTimeoutMs = o.jobTimeoutMs ?? 30_000;
  return { jobTimeoutMs, checkIntervalMs: o.timeoutCheckIntervalMs ?? Math.max(5, Math.min(1000, Math.floor(jobTimeoutMs / 4))), maxAttempts: Math.max(1, o.maxAttempts ?? 3) };
}

/** A request the broker refuses (bad job, inconsistent id, stopped broker). */
export class ProvingBrokerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvingBrokerError';
  }
}

export interface ProvingBrokerStats {
  jobs: number;
  queued: number;
  inProgress: number;
  fulfilled: number;
  rejected: number;
}

/** Cumulative counts since the broker started (this process only, for a replica). */
export interface ProvingBrokerCounters {
  enqueued: number;
  proved: number;
  failed: number;
  retried: number;
  timedOut: number;
  ignoredReports: number;
  cancelled: number;
  collected: number;
  promoted: number;
}

export function newCounters(): ProvingBrokerCounters {
  return { enqueued: 0, proved: 0, failed: 0, retried: 0, timedOut: 0, ignoredReports: 0, cancelled: 0, collected: 0, promoted: 0 };
}

export interface ProvingBrokerService extends ProvingJobProducer, ProvingJobConsumer {
  readonly counters: ProvingBrokerCounters;
  /** Per-circuit proving times the queue order is computed with. */
  readonly estimates: ProvingTimeEstimator;
  start(): Promise<void>;
  /** Waits for writes under way, wakes long polls, closes the database. */
  stop(): Promise<void>;
  stats(): Promise<ProvingBrokerStats>;
  /** Queue per circuit type and the agents heard from (by this replica), for operators. */
  status(): Promise<ProvingBrokerStatus>;
  /** Puts jobs whose agent stopped heartbeating back in the queue (or rejects them); runs on a timer too. */
  checkTimeouts(): Promise<void>;
}

/** What both brokers do the same way: their lifecycle flags and the writes a stop waits for. */
export abstract class BrokerLifecycle {
  protected started = false;
  protected stopped = false;
  protected readonly inflight = new Set<Promise<unknown>>();

  protected track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    promise.then(
      () => this.inflight.delete(promise),
      () => this.inflight.delete(promise),
    );
    return promise;
  }

  /** Checks a job about to be enqueued: a rejected promise names what is wrong, undefined admits it. */
  protected refuse(job: ProvingJob, verifyIds: boolean, retention: EpochRetention): Promise<never> | undefined {
    try {
      this.assertRunning();
      checkProvingJob(job, verifyIds);
    } catch (err) {
      return Promise.reject(err);
    }
    retention.seen(job.epoch);
    return undefined;
  }

  protected assertRunning(): void {
    if (!this.started) throw new ProvingBrokerError('the proving broker has not been started');
    if (this.stopped) throw new ProvingBrokerError('the proving broker is stopping');
  }
}

/** Automatic garbage collection: when a job of epoch E arrives, the epochs before E - retainEpochs go. */
export class EpochRetention {
  private floor = 0;

  constructor(
    private readonly retainEpochs: number | undefined,
    private readonly collect: (before: number) => Promise<number>,
    private readonly log: BrokerLogger,
  ) {}

  seen(epoch: number): void {
    if (this.retainEpochs === undefined || epoch - this.retainEpochs <= this.floor) return;
    this.floor = epoch - this.retainEpochs;
    this.collect(this.floor).catch((err) => this.log.error({ err }, 'automatic garbage collection failed'));
  }
}

/** Throws a ProvingBrokerError naming what is wrong with a job. */
export function checkProvingJob(job: ProvingJob, verifyIds: boolean): void {
  if (!isProvingJobType(job.type)) throw new ProvingBrokerError(`unknown job type "${String(job.type)}"`);
  if (!Number.isSafeInteger(job.epoch) || job.epoch < 0) throw new ProvingBrokerError(`bad epoch ${String(job.epoch)}`);
  if (!(job.inputs instanceof Uint8Array)) throw new ProvingBrokerError('job inputs must be bytes');
  const parsed = parseProvingJobId(job.id);
  if (!parsed || parsed.epoch !== job.epoch || parsed.type !== job.type) {
    throw new ProvingBrokerError(`job id "${job.id}" does not match the job: expected "${job.epoch}:${job.type}:<sha256 of the inputs>"`);
  }
  if (job.pathToRoot !== undefined && (!Array.isArray(job.pathToRoot) || !job.pathToRoot.every(isProvingJobType))) {
    throw new ProvingBrokerError(`job ${job.id}: pathToRoot must list circuit types`);
  }
  if (verifyIds && makeProvingJobId(job.epoch, job.type, job.inputs) !== job.id) {
    throw new ProvingBrokerError(`job id "${job.id}" is not the sha256 of its inputs`);
  }
}
