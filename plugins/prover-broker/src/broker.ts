/**
 * The proving broker: a durable priority queue of proving jobs.
 *
 * Hot path in memory: the index of jobs (id, type, epoch, state, owner) and the per-type priority
 * heaps live in memory; inputs and proofs do not (they are read from the database / proof store
 * when an agent takes a job or a producer asks for a result), so memory stays flat as payloads
 * grow. Every state change a caller is told about is durable first: an enqueue resolves after the
 * job is written, a success report after the proof is written. In-progress ownership is not
 * awaited: after a restart every unfinished job is queued again, and the agent whose lease held it
 * (recorded without waiting, in the next commit) may adopt it back with its next heartbeat or
 * report; any other agent's report is ignored.
 */
import { randomBytes } from 'node:crypto';
import { destination, pino } from 'pino';
import {
  PROVING_JOB_TYPES,
  compareProvingJobPriority,
  remainingPathSeconds,
  type ProvingCapacity,
  type ProvingJob,
  type ProvingJobFilter,
  type ProvingJobId,
  type ProvingJobLease,
  type ProvingJobPriority,
  type ProvingJobReportOutcome,
  type ProvingJobResult,
  type ProvingJobStatus,
  type ProvingJobType,
  type ProvingBrokerStatus,
} from '@quetzal/protocol/proving-jobs';
import { AgentActivity } from './agent-activity.js';
import type { ProvingBrokerDatabase, StoredJob, StoredResult } from './database.js';
import { BrokerLifecycle, EpochRetention, newCounters, type BrokerLogger, timeoutSettings, type ProvingBrokerCommonOptions, type ProvingBrokerCounters, type ProvingBrokerService, type ProvingBrokerStats } from './service.js';
import { ProvingTimeEstimator } from './estimates.js';
import { MinHeap } from '@quetzal/kernel/min-heap';
import { directUris, InlineProofStore, resultRef, type PayloadRef, type ProofStore } from './proof-store.js';

export interface ProvingBrokerOptions extends ProvingBrokerCommonOptions {
  database: ProvingBrokerDatabase;
}

const QUEUED = 0;
const IN_PROGRESS = 1;
const FULFILLED = 2;
const REJECTED = 3;
type State = typeof QUEUED | typeof IN_PROGRESS | typeof FULFILLED | typeof REJECTED;

class JobEntry {
  state: State = QUEUED;
  lease: string | undefined = undefined;
  heartbeatAt = 0;
  attempts = 0;
  /** Bumped whenever the job leaves the queue: heap items of older generations are stale. */
  gen = 0;
  /** A result is being written: the job is neither re-queued nor reported again meanwhile. */
  settling = false;
  agentId: string | undefined = undefined;
  /** The lease that held the job when the broker last stopped: its agent may adopt the job back. */
  priorLease: string | undefined = undefined;
  /** When the current lease took the job (undefined when adopted back after a restart): for the time estimates. */
  takenAt: number | undefined = undefined;
  constructor(
    readonly id: string,
    readonly type: ProvingJobType,
    readonly epoch: number,
    readonly seq: number,
    public speculative: boolean,
    readonly pathToRoot: readonly ProvingJobType[] | undefined,
  ) {}
}

/** An enqueue waiting for its batch to be written (also the stored record). */
interface PendingAdd extends StoredJob {
  resolve(status: ProvingJobStatus): void;
  reject(err: unknown): void;
}

/** A heap item: its key is a snapshot (a job whose key changes is pushed again, the old item goes stale). */
interface QueueItem extends ProvingJobPriority {
  entry: JobEntry;
  gen: number;
}

function queueOrder(a: QueueItem, b: QueueItem): boolean {
  return compareProvingJobPriority(a, b) < 0;
}

export { ProvingBrokerError } from './service.js';

/** The embedded broker: the queue in memory, persisted in a database (LMDB, or memory for tests). */
export class ProvingBroker extends BrokerLifecycle implements ProvingBrokerService {
  private readonly db: ProvingBrokerDatabase;
  private readonly store: ProofStore;
  private readonly jobTimeoutMs: number;
  private readonly checkIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly verifyIds: boolean;
  private readonly retention: EpochRetention;
  private readonly log: BrokerLogger;
  private readonly now: () => number;

  private readonly jobs = new Map<string, JobEntry>();
  private readonly byEpoch = new Map<number, Set<JobEntry>>();
  private readonly queues = new Map<ProvingJobType, MinHeap<QueueItem>>();
  private readonly inProgress = new Set<JobEntry>();
  private readonly pendingEnqueues = new Map<string, Promise<ProvingJobStatus>>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Enqueue writes under way (counted, not tracked, to keep bursts cheap). */
  private writes = 0;
  private addBatch: PendingAdd[] | undefined;

  /** Leases are `<instance>.<n>`, unique across restarts. */
  private readonly instance = randomBytes(4).toString('hex');
  private leaseCounter = 0;
  private seq = 0;
  readonly counters: ProvingBrokerCounters = newCounters();
  /** Per-circuit proving times, measured from take to result: the scheduling key's weights. */
  readonly estimates = new ProvingTimeEstimator();
  private keyedWith = this.estimates.version;
  private readonly agents: AgentActivity;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ProvingBrokerOptions) {
    super();
    this.db = options.database;
    this.store = options.proofStore ?? new InlineProofStore();
    ({ jobTimeoutMs: this.jobTimeoutMs, checkIntervalMs: this.checkIntervalMs, maxAttempts: this.maxAttempts } = timeoutSettings(options));
    this.verifyIds = options.verifyJobIds ?? true;
    this.log = options.logger ?? pino({ name: 'prover-broker', level: 'warn' }, destination(2));
    this.now = options.now ?? Date.now;
    this.retention = new EpochRetention(options.retainEpochs, (before) => this.cleanupEpochsBefore(before), this.log);
    this.agents = new AgentActivity(this.now, this.jobTimeoutMs);
    for (const type of PROVING_JOB_TYPES) this.queues.set(type, new MinHeap(queueOrder));
  }

  /** Loads the stored jobs (unfinished ones go back to the queue) and starts the timeout checks. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const files = new Set<string>();
    let restored = 0;
    let requeued = 0;
    for (const { job, result } of this.db.entries()) {
      const entry = new JobEntry(job.id, job.type, job.epoch, job.seq, job.speculative ?? false, job.pathToRoot);
      if (typeof job.inputs === 'string') files.add(job.inputs);
      this.seq = Math.max(this.seq, job.seq + 1);
      this.index(entry);
      restored++;
      if (result) {
        entry.state = result.status === 'fulfilled' ? FULFILLED : REJECTED;
        if (result.status === 'fulfilled' && typeof result.value === 'string') files.add(result.value);
      } else {
        entry.priorLease = this.db.getLease(job.id);
        this.pushQueue(entry);
        requeued++;
      }
    }
    const swept = await this.store.sweep(files);
    if (restored > 0 || swept > 0) this.log.info({ restored, requeued, swept }, 'proving broker restored its jobs');
    this.timer = setInterval(() => this.expire(), this.checkIntervalMs);
    this.timer.unref();
  }

  /** Stops the timeout checks, waits for writes under way, wakes long polls and closes the database. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const set of this.listeners.values()) for (const wake of set) wake();
    while (this.inflight.size > 0 || this.writes > 0) {
      await Promise.allSettled([...this.inflight]);
      if (this.writes > 0) await new Promise((r) => setTimeout(r, 5));
    }
    await this.db.close();
  }

  stats(): Promise<ProvingBrokerStats> {
    const s: ProvingBrokerStats = { jobs: this.jobs.size, queued: 0, inProgress: this.inProgress.size, fulfilled: 0, rejected: 0 };
    for (const e of this.jobs.values()) {
      if (e.state === QUEUED) s.queued++;
      else if (e.state === FULFILLED) s.fulfilled++;
      else if (e.state === REJECTED) s.rejected++;
    }
    return Promise.resolve(s);
  }

  /** Queue per circuit type and the agents heard from, for operators. */
  status(): Promise<ProvingBrokerStatus> {
    const queue = new Map(PROVING_JOB_TYPES.map((type) => [type, { type, queued: 0, inProgress: 0 }]));
    for (const e of this.jobs.values()) if (e.state === QUEUED) queue.get(e.type)!.queued++;
    for (const e of this.inProgress) queue.get(e.type)!.inProgress++;
    return Promise.resolve({
      queue: [...queue.values()].filter((q) => q.queued + q.inProgress > 0),
      agents: this.agents.list((id) => this.jobs.get(id)?.state === IN_PROGRESS),
    });
  }

  // ---------------------------------------------------------------- producer

  enqueueProvingJob(job: ProvingJob): Promise<ProvingJobStatus> {
    const refused = this.refuse(job, this.verifyIds, this.retention);
    if (refused) return refused;
    const existing = this.jobs.get(job.id);
    if (existing) {
      if (existing.speculative && !job.speculative) this.promote([existing]);
      return this.statusOf(existing);
    }
    const pending = this.pendingEnqueues.get(job.id);
    if (pending) {
      if (!job.speculative) return pending.then((status) => (this.promoteById(job.id), status));
      return pending;
    }
    const promise = this.addJob(job);
    this.pendingEnqueues.set(job.id, promise);
    return promise;
  }

  // One promise per enqueue and no closures: a burst of many thousands of concurrent enqueues
  // keeps all of them alive until their batch is committed.
  private addJob(job: ProvingJob): Promise<ProvingJobStatus> {
    const seq = this.seq++;
    this.writes++;
    return new Promise<ProvingJobStatus>((resolve, reject) => {
      const pending: PendingAdd = { id: job.id, type: job.type, epoch: job.epoch, seq, inputs: job.inputs, speculative: job.speculative ?? false, pathToRoot: job.pathToRoot, resolve, reject };
      if (job.inputs.byteLength <= this.store.inlineThresholdBytes) this.batchAdd(pending);
      else
        this.store.save(job.id, 'in', job.inputs).then(
          (ref) => {
            pending.inputs = ref;
            this.batchAdd(pending);
          },
          (err) => this.finishAdds([pending], err),
        );
    });
  }

  /** Jobs enqueued in the same event-loop turn are written in one transaction. */
  private batchAdd(pending: PendingAdd): void {
    if (!this.addBatch) {
      const batch: PendingAdd[] = (this.addBatch = []);
      setImmediate(() => {
        this.addBatch = undefined;
        this.db.addJobs(batch).then(
          () => this.finishAdds(batch, undefined),
          (err) => this.finishAdds(batch, err),
        );
      });
    }
    this.addBatch.push(pending);
  }

  private finishAdds(batch: PendingAdd[], err: unknown): void {
    for (const p of batch) {
      this.writes--;
      this.pendingEnqueues.delete(p.id);
      if (err !== undefined) {
        p.reject(err);
        continue;
      }
      this.counters.enqueued++;
      const entry = new JobEntry(p.id, p.type, p.epoch, p.seq, p.speculative ?? false, p.pathToRoot);
      this.index(entry);
      this.pushQueue(entry);
      p.resolve({ status: 'in-queue' });
    }
  }

  getProvingJobStatus(id: ProvingJobId): Promise<ProvingJobStatus> {
    const entry = this.jobs.get(id);
    if (!entry) return Promise.resolve({ status: 'not-found' });
    return this.statusOf(entry);
  }

  private async statusOf(entry: JobEntry): Promise<ProvingJobStatus> {
    switch (entry.state) {
      case QUEUED:
        return { status: 'in-queue' };
      case IN_PROGRESS:
        return { status: 'in-progress' };
      default: {
        const result = this.db.getResult(entry.id);
        if (!result) return { status: 'not-found' }; // removed meanwhile
        if (result.status === 'rejected') return result;
        return { status: 'fulfilled', value: await this.store.load(result.value) };
      }
    }
  }

  async cancelProvingJob(id: ProvingJobId): Promise<boolean> {
    this.assertRunning();
    const pending = this.pendingEnqueues.get(id);
    if (pending) await pending.catch(() => undefined);
    const entry = this.jobs.get(id);
    if (!entry) return false;
    this.log.info({ id }, 'cancelling proving job');
    this.counters.cancelled++;
    await this.track(this.remove([entry]));
    return true;
  }

  async cleanupEpochsBefore(epoch: number): Promise<number> {
    this.assertRunning();
    const doomed: JobEntry[] = [];
    for (const [e, set] of this.byEpoch) if (e < epoch) doomed.push(...set);
    if (doomed.length === 0) return 0;
    await this.track(this.remove(doomed));
    this.counters.collected += doomed.length;
    this.log.info({ before: epoch, removed: doomed.length }, 'garbage-collected old epochs');
    return doomed.length;
  }

  async getProvingCapacity(): Promise<ProvingCapacity> {
    return this.agents.capacity(this.estimates);
  }

  async promoteProvingJobs(epoch: number): Promise<number> {
    this.assertRunning();
    const entries = [...(this.byEpoch.get(epoch) ?? [])].filter((e) => e.speculative);
    await this.track(this.promote(entries));
    return entries.length;
  }

  async cancelSpeculativeProvingJobs(epoch: number): Promise<number> {
    this.assertRunning();
    const doomed = [...(this.byEpoch.get(epoch) ?? [])].filter((e) => e.speculative);
    if (doomed.length === 0) return 0;
    this.counters.cancelled += doomed.length;
    this.log.info({ epoch, cancelled: doomed.length }, 'cancelled the speculative jobs of an epoch');
    await this.track(this.remove(doomed));
    return doomed.length;
  }

  private promoteById(id: string): void {
    const entry = this.jobs.get(id);
    if (entry?.speculative) this.promote([entry]).catch((err) => this.log.error({ err, id }, 'could not store a promotion'));
  }

  /** Speculative jobs become claimed work: re-ranked at once, recorded durably. */
  private promote(entries: JobEntry[]): Promise<void> {
    const stored: StoredJob[] = [];
    for (const entry of entries) {
      if (!entry.speculative) continue;
      entry.speculative = false;
      this.counters.promoted++;
      if (entry.state === QUEUED) this.pushQueue(entry);
      const record = this.db.getJob(entry.id);
      if (record) stored.push({ ...record, speculative: false });
    }
    return stored.length > 0 ? this.db.addJobs(stored) : Promise.resolve();
  }

  /** Drops jobs from memory at once (agents are told to stop), then durably from storage. */
  private async remove(entries: JobEntry[]): Promise<void> {
    const refs: PayloadRef[] = [];
    for (const entry of entries) {
      const stored = this.db.getJob(entry.id);
      if (stored) refs.push(stored.inputs);
      const result = this.db.getResult(entry.id);
      if (result?.status === 'fulfilled') refs.push(result.value);
      this.unindex(entry);
    }
    await this.db.deleteJobs(entries.map((e) => e.id));
    for (const ref of refs) if (typeof ref === 'string') await this.store.remove(ref).catch(() => undefined);
    for (const entry of entries) this.notify(entry.id);
  }

  waitForProvingJobs(ids: ProvingJobId[], timeoutMs: number): Promise<ProvingJobId[]> {
    const ready = () => ids.filter((id) => this.isDoneOrUnknown(id));
    const now = ready();
    if (now.length > 0 || timeoutMs <= 0 || this.stopped) return Promise.resolve(now);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        for (const id of ids) {
          const set = this.listeners.get(id);
          if (set && set.delete(wake) && set.size === 0) this.listeners.delete(id);
        }
        resolve(ready());
      };
      const timer = setTimeout(wake, timeoutMs);
      for (const id of ids) {
        let set = this.listeners.get(id);
        if (!set) this.listeners.set(id, (set = new Set()));
        set.add(wake);
      }
    });
  }

  private isDoneOrUnknown(id: string): boolean {
    const e = this.jobs.get(id);
    if (!e) return !this.pendingEnqueues.has(id);
    return e.state === FULFILLED || e.state === REJECTED;
  }

  // ---------------------------------------------------------------- consumer

  async getProvingJob(filter?: ProvingJobFilter | null): Promise<ProvingJobLease | undefined> {
    if (this.stopped) return undefined;
    this.agents.polled(filter);
    const types = filter?.allowList?.length ? filter.allowList : PROVING_JOB_TYPES;
    for (;;) {
      let best: QueueItem | undefined;
      let bestHeap: MinHeap<QueueItem> | undefined;
      for (const type of types) {
        const heap = this.queues.get(type);
        if (!heap) continue;
        let top = heap.peek();
        while (top && (top.entry.state !== QUEUED || top.gen !== top.entry.gen)) {
          heap.pop();
          top = heap.peek();
        }
        if (top && (!best || queueOrder(top, best))) {
          best = top;
          bestHeap = heap;
        }
      }
      if (!best || !bestHeap) return undefined;
      bestHeap.pop();
      const entry = best.entry;
      const stored = this.db.getJob(entry.id);
      if (!stored) {
        this.log.error({ id: entry.id }, 'queued job has no stored record; dropping it');
        this.unindex(entry);
        continue;
      }
      const lease = `${this.instance}.${++this.leaseCounter}`;
      this.take(entry, lease, filter?.agentId);
      const direct = filter?.directProofStore ? directUris(this.store, entry.id, stored.inputs) : {};
      let inputs: Uint8Array;
      try {
        inputs = direct.inputsUri ? new Uint8Array(0) : await this.store.load(stored.inputs);
      } catch (err) {
        this.log.error({ id: entry.id, err }, 'could not load the inputs of a job; putting it back');
        if (entry.lease === lease) this.requeue(entry);
        throw err;
      }
      this.log.debug({ id: entry.id, lease, agent: filter?.agentId }, 'job taken');
      return { job: { id: entry.id, type: entry.type, epoch: entry.epoch, inputs }, lease, ...direct };
    }
  }

  reportProvingJobProgress(id: ProvingJobId, lease: string): Promise<boolean> {
    const entry = this.jobs.get(id);
    if (!entry || !this.owns(entry, lease)) return Promise.resolve(false);
    entry.heartbeatAt = this.now();
    this.agents.heartbeat(id);
    return Promise.resolve(true);
  }

  abandonProvingJob(id: ProvingJobId, lease: string): Promise<boolean> {
    const entry = this.jobs.get(id);
    if (!entry || !this.owns(entry, lease)) return Promise.resolve(false);
    this.log.info({ id, agent: entry.agentId }, 'an agent gave its job back');
    this.requeue(entry);
    return Promise.resolve(true);
  }

  async reportProvingJobSuccess(id: ProvingJobId, lease: string, result: ProvingJobResult, next?: ProvingJobFilter | null): Promise<ProvingJobReportOutcome> {
    this.assertRunning();
    const entry = this.jobs.get(id);
    if (!entry || !this.owns(entry, lease)) {
      this.counters.ignoredReports++;
      this.log.info({ id, lease }, 'ignoring a result from an agent that does not own the job');
      return this.outcome(false, next);
    }
    entry.settling = true;
    const takenAt = entry.takenAt;
    const accepted = await this.track(this.settle(entry, result, undefined));
    if (accepted && takenAt !== undefined) this.measured(entry.type, (this.now() - takenAt) / 1000);
    return this.outcome(accepted, next);
  }

  async reportProvingJobError(id: ProvingJobId, lease: string, reason: string, retry: boolean, next?: ProvingJobFilter | null): Promise<ProvingJobReportOutcome> {
    this.assertRunning();
    const entry = this.jobs.get(id);
    if (!entry || !this.owns(entry, lease)) {
      this.counters.ignoredReports++;
      this.log.info({ id, lease }, 'ignoring an error report from an agent that does not own the job');
      return this.outcome(false, next);
    }
    entry.attempts++;
    if (retry && entry.attempts < this.maxAttempts) {
      this.counters.retried++;
      this.log.info({ id, attempts: entry.attempts, reason }, 'proving job failed; retrying');
      this.requeue(entry);
      return this.outcome(true, next);
    }
    entry.settling = true;
    this.log.warn({ id, attempts: entry.attempts, reason }, 'proving job failed');
    const accepted = await this.track(this.settle(entry, undefined, reason));
    return this.outcome(accepted, next);
  }

  private async outcome(accepted: boolean, next: ProvingJobFilter | null | undefined): Promise<ProvingJobReportOutcome> {
    if (!next) return { accepted };
    const job = await this.getProvingJob(next);
    return job ? { accepted, next: job } : { accepted };
  }

  /** Writes the result durably, then marks the job settled. False when the job vanished meanwhile. */
  private async settle(entry: JobEntry, result: ProvingJobResult | undefined, reason: string | undefined): Promise<boolean> {
    let stored: StoredResult;
    try {
      if (result) stored = { status: 'fulfilled', value: await resultRef(this.store, entry.id, result) };
      else stored = { status: 'rejected', reason: reason ?? 'failed' };
      await this.db.setResult(entry.id, stored);
    } catch (err) {
      entry.settling = false;
      throw err;
    }
    entry.settling = false;
    if (this.jobs.get(entry.id) !== entry) {
      // cancelled or garbage-collected while the result was being written (if the same id was
      // enqueued again meanwhile, the stored result proves its identical inputs: keep it)
      if (!this.jobs.has(entry.id) && !this.pendingEnqueues.has(entry.id)) {
        await this.db.deleteJobs([entry.id]);
        if (stored.status === 'fulfilled' && typeof stored.value === 'string') await this.store.remove(stored.value).catch(() => undefined);
      }
      return false;
    }
    this.inProgress.delete(entry);
    entry.state = stored.status === 'fulfilled' ? FULFILLED : REJECTED;
    if (entry.state === FULFILLED) this.counters.proved++;
    else this.counters.failed++;
    this.agents.released(entry.id, entry.state === FULFILLED);
    entry.lease = undefined;
    entry.agentId = undefined;
    this.notify(entry.id);
    return true;
  }

  // ---------------------------------------------------------------- ownership and queueing

  /**
   * Whether the holder of `lease` owns the job. The lease that held the job when the broker last
   * stopped (or crashed) adopts it back while nobody else has taken it; any other lease (timed
   * out, superseded, forged) is refused.
   */
  private owns(entry: JobEntry, lease: string): boolean {
    if (entry.settling) return false;
    if (entry.state === IN_PROGRESS) return entry.lease === lease;
    if (entry.state === QUEUED && entry.priorLease === lease) {
      this.log.info({ id: entry.id, lease }, 'an agent from before the restart adopts its job back');
      this.take(entry, lease, undefined);
      return true;
    }
    return false;
  }

  private take(entry: JobEntry, lease: string, agentId: string | undefined): void {
    if (entry.priorLease !== lease) this.db.setLease(entry.id, lease);
    entry.takenAt = entry.priorLease === lease ? undefined : this.now();
    entry.priorLease = undefined;
    entry.gen++;
    entry.state = IN_PROGRESS;
    entry.lease = lease;
    entry.agentId = agentId;
    entry.heartbeatAt = this.now();
    this.inProgress.add(entry);
    this.agents.took(agentId, entry);
  }

  private requeue(entry: JobEntry): void {
    this.agents.released(entry.id);
    this.db.setLease(entry.id, undefined);
    this.inProgress.delete(entry);
    entry.lease = undefined;
    entry.agentId = undefined;
    this.pushQueue(entry);
  }

  private pushQueue(entry: JobEntry): void {
    entry.state = QUEUED;
    entry.gen++;
    const remainingSeconds = remainingPathSeconds(entry.type, entry.pathToRoot, this.estimates.current());
    this.queues.get(entry.type)!.push({ entry, gen: entry.gen, epoch: entry.epoch, speculative: entry.speculative, remainingSeconds, seq: entry.seq });
  }

  /** A measured proof time; when the estimates moved enough to change the order, every queued job is re-keyed. */
  private measured(type: ProvingJobType, seconds: number): void {
    this.estimates.record(type, seconds);
    if (this.estimates.version === this.keyedWith) return;
    this.keyedWith = this.estimates.version;
    for (const heap of this.queues.values()) heap.clear();
    for (const entry of this.jobs.values()) if (entry.state === QUEUED) this.pushQueue(entry);
  }

  async checkTimeouts(): Promise<void> {
    await Promise.all(this.expire());
  }

  /** Re-queues timed-out jobs at once; returns the rejections being written. */
  private expire(): Promise<unknown>[] {
    const writes: Promise<unknown>[] = [];
    const now = this.now();
    for (const entry of this.inProgress) {
      if (entry.settling || now - entry.heartbeatAt <= this.jobTimeoutMs) continue;
      entry.attempts++;
      this.counters.timedOut++;
      if (entry.attempts < this.maxAttempts) {
        this.log.warn({ id: entry.id, agent: entry.agentId, attempts: entry.attempts }, 'proving job timed out; back to the queue');
        this.requeue(entry);
      } else {
        this.log.warn({ id: entry.id, attempts: entry.attempts }, 'proving job timed out too often; rejecting it');
        entry.settling = true;
        writes.push(
          this.track(this.settle(entry, undefined, `timed out ${entry.attempts} times`)).catch((err) => {
            this.log.error({ id: entry.id, err }, 'could not store a rejection; back to the queue');
            if (entry.state === IN_PROGRESS) this.requeue(entry);
          }),
        );
      }
    }
    return writes;
  }

  // ---------------------------------------------------------------- bookkeeping

  private index(entry: JobEntry): void {
    this.jobs.set(entry.id, entry);
    let set = this.byEpoch.get(entry.epoch);
    if (!set) this.byEpoch.set(entry.epoch, (set = new Set()));
    set.add(entry);
  }

  private unindex(entry: JobEntry): void {
    if (this.jobs.get(entry.id) === entry) this.jobs.delete(entry.id);
    this.inProgress.delete(entry);
    entry.gen++; // stale in the heap
    entry.lease = undefined;
    const set = this.byEpoch.get(entry.epoch);
    if (set) {
      set.delete(entry);
      if (set.size === 0) this.byEpoch.delete(entry.epoch);
    }
  }

  private notify(id: string): void {
    const set = this.listeners.get(id);
    if (!set) return;
    for (const wake of [...set]) wake();
  }

}
