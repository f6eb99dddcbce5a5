// Enqueues proving jobs at the broker and waits for all of them with one long poll (not one per
// job), so an epoch of hundreds of circuits costs a handful of broker calls per second.
import { RpcTransportError } from '@quetzal/kernel/jsonrpc/errors';
import { isSettled, type ProvingJob, type ProvingJobId, type ProvingJobProducer, type ProvingJobStatus, type ProvingJobType } from '@quetzal/protocol/proving-jobs';

const REFRESH_BATCH = 64;

export interface JobCounts {
  /** Enqueued, not yet taken by an agent (as last seen). */
  queued: number;
  /** Taken by an agent (as last seen). */
  proving: number;
  done: number;
  /** Done at enqueue time: the broker already had the result (a restart re-using proofs). */
  reused: number;
  failed: number;
  /** Per circuit type: proofs done, and circuits enqueued so far (the tree grows as blocks are processed). */
  circuits: Partial<Record<ProvingJobType, { done: number; total: number }>>;
}

export interface JobTrackerOptions {
  /** Long-poll window of `waitForProvingJobs` (default 5 s). */
  pollMs?: number;
  /** How often the queued/proving split is refreshed while waiting (default 2 s). */
  statusRefreshMs?: number;
  /** Backoff after a failed broker call (default 500 ms, doubling to 10 s). */
  retryDelayMs?: number;
  /** A job the broker forgot (restarted in memory, cancelled) is enqueued again this many times (default 3). */
  maxReenqueues?: number;
  signal?: AbortSignal;
  /** Called when a job settles: its type, its time from enqueue to result, and whether it was re-used. */
  onSettled?: (type: ProvingJobType, seconds: number, reused: boolean, ok: boolean) => void;
}

interface Pending {
  job: ProvingJob;
  started: number;
  status: 'in-queue' | 'in-progress';
  reenqueues: number;
  resolve(value: Uint8Array): void;
  reject(err: Error): void;
}

export class ProvingJobTracker {
  private readonly pending = new Map<ProvingJobId, Pending>();
  private readonly inFlight = new Map<ProvingJobId, Promise<Uint8Array>>();
  private readonly counts = { done: 0, reused: 0, failed: 0 };
  /** Cancelled while their enqueue was under way: removed again once it returns. */
  private readonly cancelled = new Set<ProvingJobId>();
  private readonly circuits: JobCounts['circuits'] = {};
  private polling = false;
  private refreshCursor = 0;
  private readonly pollMs: number;
  private readonly statusRefreshMs: number;
  private readonly retryDelayMs: number;
  private readonly maxReenqueues: number;

  constructor(
    private readonly producer: ProvingJobProducer,
    private readonly options: JobTrackerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 5000;
    this.statusRefreshMs = options.statusRefreshMs ?? 2000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.maxReenqueues = options.maxReenqueues ?? 3;
    options.signal?.addEventListener('abort', () => this.rejectAll(abortReason(options.signal!)), { once: true });
  }

  stats(): JobCounts {
    let queued = 0;
    let proving = 0;
    for (const p of this.pending.values()) {
      if (p.status === 'in-queue') queued++;
      else proving++;
    }
    return { queued, proving, ...this.counts, circuits: structuredClone(this.circuits) };
  }

  /**
   * Enqueues the job (idempotent at the broker) and resolves with its result bytes. Identical jobs
   * (same id: e.g. the two parity bases of a block without messages) share one result.
   */
  prove(job: ProvingJob): Promise<Uint8Array> {
    let result = this.inFlight.get(job.id);
    if (!result) {
      this.cancelled.delete(job.id);
      (this.circuits[job.type] ??= { done: 0, total: 0 }).total++;
      result = this.enqueue(job).finally(() => this.inFlight.delete(job.id));
      this.inFlight.set(job.id, result);
    }
    return result;
  }

  private async enqueue(job: ProvingJob): Promise<Uint8Array> {
    const started = performance.now();
    const status = await this.retrying(() => this.producer.enqueueProvingJob(job));
    if (this.cancelled.has(job.id)) {
      await this.producer.cancelProvingJob(job.id).catch(() => false);
      throw new Error(`proving job ${job.id} was cancelled`);
    }
    if (isSettled(status)) return this.settle(job, started, status, true);
    const result = new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(job.id, { job, started, status: status.status === 'in-progress' ? 'in-progress' : 'in-queue', reenqueues: 0, resolve, reject });
    });
    void this.poll();
    return result;
  }

  /**
   * Removes these jobs (and their results) from the broker; prove() calls waiting for them reject
   * with `reason`. Best effort: a broker that cannot be reached keeps them until its garbage
   * collection.
   */
  async cancel(ids: Iterable<ProvingJobId>, reason: Error): Promise<void> {
    const all = [...ids];
    for (const id of all) {
      this.cancelled.add(id);
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      p.reject(reason);
    }
    await Promise.all(all.map((id) => this.producer.cancelProvingJob(id).catch(() => false)));
  }

  private settle(job: ProvingJob, started: number, status: ProvingJobStatus & { status: 'fulfilled' | 'rejected' }, reused: boolean): Uint8Array {
    const ok = status.status === 'fulfilled';
    this.options.onSettled?.(job.type, (performance.now() - started) / 1000, reused, ok);
    if (!ok) {
      this.counts.failed++;
      throw new Error(`proving job ${job.id} failed: ${status.reason}`);
    }
    this.counts.done++;
    this.circuits[job.type]!.done++;
    if (reused) this.counts.reused++;
    return status.value;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    let lastRefresh = performance.now();
    try {
      while (this.pending.size > 0 && !this.options.signal?.aborted) {
        const asked = performance.now();
        const ids = await this.retrying(() => this.producer.waitForProvingJobs([...this.pending.keys()], this.pollMs));
        // A broker that answers at once with nothing (a stopped in-process broker does) would make
        // this loop run on microtasks alone and starve the event loop: no timer, no signal, no exit.
        if (ids.length === 0 && performance.now() - asked < this.pollMs / 2) await new Promise((r) => setTimeout(r, this.retryDelayMs));
        for (const id of ids) await this.check(id);
        if (performance.now() - lastRefresh >= this.statusRefreshMs) {
          lastRefresh = performance.now();
          for (const id of this.refreshBatch()) await this.check(id);
        }
      }
    } catch (err) {
      this.rejectAll(err as Error);
    } finally {
      this.polling = false;
    }
  }

  /**
   * Queued jobs whose status to re-read (to tell queued from proving, and to find jobs the broker
   * forgot): at most REFRESH_BATCH per round, round robin, so a large epoch costs a bounded number
   * of broker calls.
   */
  private refreshBatch(): ProvingJobId[] {
    const queued = [...this.pending].filter(([, p]) => p.status === 'in-queue').map(([id]) => id);
    if (queued.length <= REFRESH_BATCH) return queued;
    this.refreshCursor %= queued.length;
    const batch = queued.slice(this.refreshCursor, this.refreshCursor + REFRESH_BATCH);
    this.refreshCursor += REFRESH_BATCH;
    return batch;
  }

  private async check(id: ProvingJobId): Promise<void> {
    const p = this.pending.get(id);
    if (!p) return;
    const status = await this.retrying(() => this.producer.getProvingJobStatus(id));
    if (status.status === 'in-queue' || status.status === 'in-progress') {
      p.status = status.status;
      return;
    }
    if (status.status === 'not-found') {
      if (p.reenqueues++ >= this.maxReenqueues) {
        this.pending.delete(id);
        p.reject(new Error(`proving job ${id} keeps disappearing from the broker (cancelled or garbage-collected ${p.reenqueues} times)`));
      } else {
        await this.retrying(() => this.producer.enqueueProvingJob(p.job));
      }
      return;
    }
    this.pending.delete(id);
    try {
      p.resolve(this.settle(p.job, p.started, status, false));
    } catch (err) {
      p.reject(err as Error);
    }
  }

  /** Runs a broker call, retrying transport failures with backoff until the signal aborts. */
  private async retrying<T>(call: () => Promise<T>): Promise<T> {
    let delay = this.retryDelayMs;
    for (;;) {
      this.options.signal?.throwIfAborted();
      try {
        return await call();
      } catch (err) {
        if (this.options.signal?.aborted) throw abortReason(this.options.signal);
        if (!isTransient(err)) throw err;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private rejectAll(err: Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }
}

/** Transport failures (broker down, timeouts) are retried; an answer that refuses the call is not. */
function isTransient(err: unknown): boolean {
  return err instanceof RpcTransportError;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}
