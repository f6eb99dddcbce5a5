/**
 * The proving broker on PostgreSQL: the queue's truth lives in the database, so several broker
 * processes (replicas) on one database serve one queue. Agents take jobs with
 * `FOR UPDATE SKIP LOCKED` (two replicas never hand out the same job); leases, heartbeats,
 * attempts and results are rows; timeouts are expired by whichever replica checks first; a
 * settled job is announced with NOTIFY so that a producer's long poll on any replica wakes at
 * once. Times are the replicas' clocks in ms (keep them in sync, as for any lease system).
 *
 * Unlike the embedded broker, a replica keeps nothing that matters in memory: it can be killed at
 * any moment and another serves the same jobs, leases included.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { destination, pino } from 'pino';
import {
  PROVING_JOB_TYPES,
  compareProvingJobPriority,
  isProvingJobType,
  remainingPathSeconds,
  type ProvingCapacity,
  type ProvingJob,
  type ProvingJobFilter,
  type ProvingJobId,
  type ProvingJobLease,
  type ProvingJobReportOutcome,
  type ProvingJobResult,
  type ProvingJobStatus,
  type ProvingJobType,
  type ProvingBrokerStatus,
} from '@quetzal/protocol/proving-jobs';
import { AgentActivity } from './agent-activity.js';
import { ProvingTimeEstimator } from './estimates.js';
import { migrate } from './postgres-schema.js';
import { directUris, InlineProofStore, resultRef, type PayloadRef, type ProofStore } from './proof-store.js';
import {
  BrokerLifecycle,
  EpochRetention,
  newCounters,
  timeoutSettings,
  type BrokerLogger,
  type ProvingBrokerCommonOptions,
  type ProvingBrokerCounters,
  type ProvingBrokerService,
  type ProvingBrokerStats,
} from './service.js';

export interface PostgresProvingBrokerOptions extends ProvingBrokerCommonOptions {
  /** `postgres://user:password@host:port/database` (never logged). */
  connectionString: string;
  /** Connections in the pool (default 16). */
  poolSize?: number;
}

const QUEUED = 0;
const IN_PROGRESS = 1;
const FULFILLED = 2;
const REJECTED = 3;
const CHANNEL = 'quetzal_proving_jobs';
/** Long polls re-check the database this often even without a notification (a lost LISTEN connection). */
const WAIT_RECHECK_MS = 1000;

interface PendingAdd {
  job: ProvingJob;
  inputs: PayloadRef;
  resolve(status: ProvingJobStatus): void;
  reject(err: unknown): void;
}

interface TakenRow {
  id: string;
  type: ProvingJobType;
  epoch: string;
  inputs: Buffer | null;
  inputs_ref: string | null;
  lease: string;
  speculative: boolean;
  priority: number;
  seq: string;
}

function priorityOf(r: TakenRow) {
  return { epoch: Number(r.epoch), speculative: r.speculative, remainingSeconds: r.priority, seq: Number(r.seq) };
}

interface PendingSettle {
  id: string;
  lease: string;
  ref: PayloadRef;
  resolve(row: { type: ProvingJobType; taken_at: string | null } | undefined): void;
  reject(err: unknown): void;
}

interface Waiter {
  ids: Set<string>;
  wake(): void;
}

export class PostgresProvingBroker extends BrokerLifecycle implements ProvingBrokerService {
  readonly counters: ProvingBrokerCounters = newCounters();
  readonly estimates = new ProvingTimeEstimator();
  private pg: typeof pg | undefined;
  private poolRef: pg.Pool | undefined;
  private readonly poolSize: number;
  private listener: pg.Client | undefined;
  private readonly connectionString: string;
  private readonly store: ProofStore;
  private readonly jobTimeoutMs: number;
  private readonly checkIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly verifyIds: boolean;
  private readonly retention: EpochRetention;
  private readonly log: BrokerLogger;
  private readonly now: () => number;
  private readonly instance = randomBytes(4).toString('hex');
  private leaseCounter = 0;
  private readonly pendingEnqueues = new Map<string, Promise<ProvingJobStatus>>();
  private addBatch: PendingAdd[] | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly takeBatch = new Map<string, { types: string[] | undefined; waiters: { resolve(row: TakenRow | undefined): void; reject(err: unknown): void }[] }>();
  private takeScheduled = false;
  private settleBatch: PendingSettle[] = [];
  private keyedWith = this.estimates.version;
  /** A re-keying of the queue under way (takes wait for it, reports do not). */
  private rekeying: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly agents: AgentActivity;

  constructor(options: PostgresProvingBrokerOptions) {
    super();
    this.connectionString = options.connectionString;
    this.poolSize = options.poolSize ?? 16;
    this.store = options.proofStore ?? new InlineProofStore();
    ({ jobTimeoutMs: this.jobTimeoutMs, checkIntervalMs: this.checkIntervalMs, maxAttempts: this.maxAttempts } = timeoutSettings(options));
    this.verifyIds = options.verifyJobIds ?? true;
    this.log = options.logger ?? pino({ name: 'prover-broker', level: 'warn' }, destination(2));
    this.now = options.now ?? Date.now;
    this.retention = new EpochRetention(options.retainEpochs, (before) => this.cleanupEpochsBefore(before), this.log);
    this.agents = new AgentActivity(this.now, this.jobTimeoutMs);
  }

  private get pool(): pg.Pool {
    if (!this.poolRef) throw new Error('the PostgreSQL broker is not started');
    return this.poolRef;
  }

  /** Migrates the schema, loads the shared time estimates, listens for settled jobs, starts the timeout checks. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // loaded here, not at import: every start imports this module, few use PostgreSQL (~150 ms)
    this.pg = (await import('pg')).default;
    this.poolRef = new this.pg.Pool({ connectionString: this.connectionString, max: this.poolSize });
    // an idle client that loses its server must not crash the process; the next query reconnects
    this.poolRef.on('error', (err) => this.log.warn({ err: err.message }, 'a PostgreSQL connection failed'));
    const { from, to } = await migrate(this.pool);
    if (from !== to) this.log.info({ from, to }, 'migrated the broker database schema');
    const estimates = await this.pool.query<{ type: string; seconds: number }>('SELECT type, seconds FROM proving_time_estimates');
    if (estimates.rows.length > 0) {
      this.estimates.load(Object.fromEntries(estimates.rows.filter((r) => isProvingJobType(r.type)).map((r) => [r.type, r.seconds])));
      this.keyedWith = this.estimates.version;
    }
    await this.listen();
    this.timer = setInterval(() => {
      this.checkTimeouts().catch((err) => this.log.warn({ err: (err as Error).message }, 'timeout check failed'));
    }, this.checkIntervalMs);
    this.timer.unref();
  }

  private async listen(): Promise<void> {
    if (this.stopped || !this.pg) return;
    const client = new this.pg.Client({ connectionString: this.connectionString });
    client.on('notification', (msg) => this.notified(msg.payload ?? '*'));
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'lost the PostgreSQL LISTEN connection; long polls fall back to polling');
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      setTimeout(() => this.listen().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of [...this.waiters]) w.wake();
    while (this.inflight.size > 0 || this.pendingEnqueues.size > 0) await Promise.allSettled([...this.inflight, ...this.pendingEnqueues.values()]);
    await this.listener?.end().catch(() => undefined);
    await this.poolRef?.end();
  }

  async stats(): Promise<ProvingBrokerStats> {
    const { rows } = await this.pool.query<{ state: number; n: string }>('SELECT state, count(*) AS n FROM proving_jobs GROUP BY state');
    const s: ProvingBrokerStats = { jobs: 0, queued: 0, inProgress: 0, fulfilled: 0, rejected: 0 };
    for (const r of rows) {
      const n = Number(r.n);
      s.jobs += n;
      if (r.state === QUEUED) s.queued = n;
      else if (r.state === IN_PROGRESS) s.inProgress = n;
      else if (r.state === FULFILLED) s.fulfilled = n;
      else if (r.state === REJECTED) s.rejected = n;
    }
    return s;
  }

  async status(): Promise<ProvingBrokerStatus> {
    const held = this.agents.heldJobIds();
    const [counts, still] = await Promise.all([
      this.pool.query<{ type: ProvingJobType; state: number; n: string }>('SELECT type, state, count(*) AS n FROM proving_jobs WHERE state IN (0, 1) GROUP BY type, state'),
      this.pool.query<{ id: string }>('SELECT id FROM proving_jobs WHERE state = 1 AND id = ANY($1)', [held]),
    ]);
    const queue = new Map(PROVING_JOB_TYPES.map((type) => [type, { type, queued: 0, inProgress: 0 }]));
    for (const r of counts.rows) {
      const q = queue.get(r.type);
      if (!q) continue;
      if (r.state === QUEUED) q.queued = Number(r.n);
      else q.inProgress = Number(r.n);
    }
    const inProgress = new Set(still.rows.map((r) => r.id));
    for (const id of held) if (!inProgress.has(id)) this.agents.released(id);
    return { queue: [...queue.values()].filter((q) => q.queued + q.inProgress > 0), agents: this.agents.list((id) => inProgress.has(id)) };
  }

  // ---------------------------------------------------------------- producer

  enqueueProvingJob(job: ProvingJob): Promise<ProvingJobStatus> {
    const refused = this.refuse(job, this.verifyIds, this.retention);
    if (refused) return refused;
    const pending = this.pendingEnqueues.get(job.id);
    if (pending) return job.speculative ? pending : pending.then(() => this.enqueueProvingJob(job));
    const promise = this.addJob(job).finally(() => this.pendingEnqueues.delete(job.id));
    this.pendingEnqueues.set(job.id, promise);
    return promise;
  }

  private async addJob(job: ProvingJob): Promise<ProvingJobStatus> {
    const inputs = job.inputs.byteLength <= this.store.inlineThresholdBytes ? job.inputs : await this.store.save(job.id, 'in', job.inputs);
    return new Promise<ProvingJobStatus>((resolve, reject) => {
      if (!this.addBatch) {
        const batch: PendingAdd[] = (this.addBatch = []);
        setImmediate(() => {
          this.addBatch = undefined;
          this.track(this.insert(batch)).catch((err) => {
            for (const p of batch) p.reject(err);
          });
        });
      }
      this.addBatch.push({ job, inputs, resolve, reject });
    });
  }

  /** Jobs enqueued in the same event-loop turn go in with one statement; known ids answer their status. */
  private async insert(batch: PendingAdd[]): Promise<void> {
    const estimates = this.estimates.current();
    const inserted = await this.pool.query<{ id: string }>(
      `INSERT INTO proving_jobs (id, type, epoch, speculative, path_to_root, priority, inputs, inputs_ref)
       SELECT id, type, epoch, speculative, string_to_array(path, ','), priority, inputs, inputs_ref
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[], $5::text[], $6::float8[], $7::bytea[], $8::text[])
         AS t(id, type, epoch, speculative, path, priority, inputs, inputs_ref)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        batch.map((p) => p.job.id),
        batch.map((p) => p.job.type),
        batch.map((p) => p.job.epoch),
        batch.map((p) => p.job.speculative ?? false),
        batch.map((p) => (p.job.pathToRoot ?? []).join(',')),
        batch.map((p) => remainingPathSeconds(p.job.type, p.job.pathToRoot, estimates)),
        batch.map((p) => (typeof p.inputs === 'string' ? null : Buffer.from(p.inputs.buffer, p.inputs.byteOffset, p.inputs.byteLength))),
        batch.map((p) => (typeof p.inputs === 'string' ? p.inputs : null)),
      ],
    );
    const fresh = new Set(inserted.rows.map((r) => r.id));
    const known = batch.filter((p) => !fresh.has(p.job.id));
    const claimed = known.filter((p) => !p.job.speculative).map((p) => p.job.id);
    if (claimed.length > 0) {
      const promoted = await this.pool.query('UPDATE proving_jobs SET speculative = false WHERE id = ANY($1) AND speculative', [claimed]);
      this.counters.promoted += promoted.rowCount ?? 0;
    }
    for (const p of batch) {
      if (fresh.has(p.job.id)) {
        this.counters.enqueued++;
        p.resolve({ status: 'in-queue' });
      } else {
        // the job existed: keep its stored payload, not ours
        if (typeof p.inputs === 'string') await this.store.remove(p.inputs).catch(() => undefined);
        this.statusOf(p.job.id).then(p.resolve, p.reject);
      }
    }
  }

  async getProvingJobStatus(id: ProvingJobId): Promise<ProvingJobStatus> {
    const pending = this.pendingEnqueues.get(id);
    if (pending) await pending.catch(() => undefined);
    return this.statusOf(id);
  }

  private async statusOf(id: string): Promise<ProvingJobStatus> {
    const { rows } = await this.pool.query<{ state: number; result: Buffer | null; result_ref: string | null; reason: string | null }>(
      'SELECT state, result, result_ref, reason FROM proving_jobs WHERE id = $1',
      [id],
    );
    const row = rows[0];
    if (!row) return { status: 'not-found' };
    switch (row.state) {
      case QUEUED:
        return { status: 'in-queue' };
      case IN_PROGRESS:
        return { status: 'in-progress' };
      case REJECTED:
        return { status: 'rejected', reason: row.reason ?? 'failed' };
      default:
        return { status: 'fulfilled', value: await this.store.load(row.result_ref ?? toBytes(row.result)) };
    }
  }

  async cancelProvingJob(id: ProvingJobId): Promise<boolean> {
    this.assertRunning();
    const pending = this.pendingEnqueues.get(id);
    if (pending) await pending.catch(() => undefined);
    const removed = await this.track(this.remove('id = $1', [id]));
    if (removed === 0) return false;
    this.log.info({ id }, 'cancelled proving job');
    this.counters.cancelled++;
    return true;
  }

  async cleanupEpochsBefore(epoch: number): Promise<number> {
    this.assertRunning();
    const removed = await this.track(this.remove('epoch < $1', [epoch]));
    if (removed > 0) {
      this.counters.collected += removed;
      this.log.info({ before: epoch, removed }, 'garbage-collected old epochs');
    }
    return removed;
  }

  async getProvingCapacity(): Promise<ProvingCapacity> {
    return this.agents.capacity(this.estimates);
  }

  async promoteProvingJobs(epoch: number): Promise<number> {
    this.assertRunning();
    const { rowCount } = await this.track(this.pool.query('UPDATE proving_jobs SET speculative = false WHERE epoch = $1 AND speculative', [epoch]));
    this.counters.promoted += rowCount ?? 0;
    return rowCount ?? 0;
  }

  async cancelSpeculativeProvingJobs(epoch: number): Promise<number> {
    this.assertRunning();
    const removed = await this.track(this.remove('epoch = $1 AND speculative', [epoch]));
    if (removed > 0) {
      this.counters.cancelled += removed;
      this.log.info({ epoch, cancelled: removed }, 'cancelled the speculative jobs of an epoch');
    }
    return removed;
  }

  /** Deletes the matching jobs and their stored payloads, and wakes long polls on them. */
  private async remove(where: string, params: unknown[]): Promise<number> {
    const { rows } = await this.pool.query<{ id: string; inputs_ref: string | null; result_ref: string | null }>(
      `WITH d AS (DELETE FROM proving_jobs WHERE ${where} RETURNING id, inputs_ref, result_ref)
       SELECT id, inputs_ref, result_ref, pg_notify('${CHANNEL}', CASE WHEN (SELECT count(*) FROM d) > 100 THEN '*' ELSE id END) FROM d`,
      params,
    );
    for (const r of rows) {
      for (const ref of [r.inputs_ref, r.result_ref]) if (ref) await this.store.remove(ref).catch(() => undefined);
    }
    return rows.length;
  }

  async waitForProvingJobs(ids: ProvingJobId[], timeoutMs: number): Promise<ProvingJobId[]> {
    const ready = async () => {
      const { rows } = await this.pool.query<{ id: string; state: number }>('SELECT id, state FROM proving_jobs WHERE id = ANY($1)', [ids]);
      const open = new Set(rows.filter((r) => r.state === QUEUED || r.state === IN_PROGRESS).map((r) => r.id));
      return ids.filter((id) => !open.has(id) && !this.pendingEnqueues.has(id));
    };
    const first = await ready();
    if (first.length > 0 || timeoutMs <= 0 || this.stopped) return first;
    return new Promise((resolve, reject) => {
      let checking = false;
      let again = false;
      const deadline = this.now() + timeoutMs;
      const finish = (result: ProvingJobId[]) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(waiter);
        resolve(result);
      };
      const check = () => {
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        ready().then(
          (now) => {
            checking = false;
            if (now.length > 0 || this.stopped || this.now() >= deadline) finish(now);
            else if (again) {
              again = false;
              check();
            }
          },
          (err) => {
            clearTimeout(timer);
            clearInterval(poll);
            this.waiters.delete(waiter);
            reject(err);
          },
        );
      };
      const waiter: Waiter = { ids: new Set(ids), wake: check };
      this.waiters.add(waiter);
      const timer = setTimeout(check, timeoutMs);
      const poll = setInterval(check, Math.min(WAIT_RECHECK_MS, timeoutMs));
    });
  }

  private notified(id: string): void {
    for (const w of [...this.waiters]) if (id === '*' || w.ids.has(id)) w.wake();
  }

  // ---------------------------------------------------------------- consumer

  async getProvingJob(filter?: ProvingJobFilter | null): Promise<ProvingJobLease | undefined> {
    if (this.stopped) return undefined;
    this.agents.polled(filter);
    if (this.rekeying) await this.rekeying;
    const types = filter?.allowList?.length ? [...new Set(filter.allowList)].sort() : undefined;
    const key = `${types?.join(',') ?? '*'}|${filter?.directProofStore ? 'direct' : ''}`;
    const row = await new Promise<TakenRow | undefined>((resolve, reject) => {
      let group = this.takeBatch.get(key);
      if (!group) this.takeBatch.set(key, (group = { types, waiters: [] }));
      group.waiters.push({ resolve, reject });
      if (!this.takeScheduled) {
        this.takeScheduled = true;
        setImmediate(() => this.flushTakes());
      }
    });
    if (!row) return undefined;
    const ref = row.inputs_ref ?? toBytes(row.inputs);
    const direct = filter?.directProofStore ? directUris(this.store, row.id, ref) : {};
    let inputs: Uint8Array;
    try {
      inputs = direct.inputsUri ? new Uint8Array(0) : await this.store.load(ref);
    } catch (err) {
      this.log.error({ id: row.id, err }, 'could not load the inputs of a job; putting it back');
      await this.abandonProvingJob(row.id, row.lease);
      throw err;
    }
    this.agents.took(filter?.agentId, { id: row.id, type: row.type, epoch: Number(row.epoch) });
    this.log.debug({ id: row.id, lease: row.lease, agent: filter?.agentId }, 'job taken');
    return { job: { id: row.id, type: row.type, epoch: Number(row.epoch), inputs }, lease: row.lease, ...direct };
  }

  /**
   * Takes asked for in the same event-loop turn (an HTTP batch from agents, or many agents at once)
   * share one statement and one commit per allow-list: the best N queued jobs, SKIP LOCKED, handed
   * out in priority order.
   */
  private flushTakes(): void {
    this.takeScheduled = false;
    const groups = [...this.takeBatch.values()];
    this.takeBatch.clear();
    for (const { types, waiters } of groups) {
      const base = this.leaseCounter;
      this.leaseCounter += waiters.length;
      const params: unknown[] = [`${this.instance}.`, base, this.now(), waiters.length];
      if (types) params.push(types);
      this.track(
        this.pool.query<TakenRow>(
          `WITH picked AS (SELECT id, row_number() OVER () AS k FROM (
                             SELECT id FROM proving_jobs WHERE state = 0 ${types ? 'AND type = ANY($5)' : ''}
                             ORDER BY epoch, speculative, priority DESC, seq LIMIT $4 FOR UPDATE SKIP LOCKED) best)
           UPDATE proving_jobs j SET state = 1, lease = $1 || (p.k + $2), agent_id = NULL, heartbeat_at = $3, taken_at = $3
           FROM picked p WHERE j.id = p.id AND j.state = 0
           RETURNING j.id, j.type, j.epoch, j.inputs, j.inputs_ref, j.lease, j.speculative, j.priority, j.seq`,
          params,
        ),
      ).then(
        ({ rows }) => {
          rows.sort((a, b) => compareProvingJobPriority(priorityOf(a), priorityOf(b)));
          waiters.forEach((w, i) => w.resolve(rows[i]));
        },
        (err) => {
          for (const w of waiters) w.reject(err);
        },
      );
    }
  }

  async reportProvingJobProgress(id: ProvingJobId, lease: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE proving_jobs SET heartbeat_at = $3 WHERE id = $1 AND lease = $2 AND state = 1', [id, lease, this.now()]);
    if (rowCount === 1) this.agents.heartbeat(id);
    return rowCount === 1;
  }

  async abandonProvingJob(id: ProvingJobId, lease: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE proving_jobs SET state = 0, lease = NULL, agent_id = NULL WHERE id = $1 AND lease = $2 AND state = 1', [id, lease]);
    if (rowCount === 1) {
      this.agents.released(id);
      this.log.info({ id }, 'an agent gave its job back');
    }
    return rowCount === 1;
  }

  async reportProvingJobSuccess(id: ProvingJobId, lease: string, result: ProvingJobResult, next?: ProvingJobFilter | null): Promise<ProvingJobReportOutcome> {
    this.assertRunning();
    const accepted = await this.track(this.settle(id, lease, result));
    return this.outcome(accepted, next);
  }

  private async settle(id: string, lease: string, result: ProvingJobResult): Promise<boolean> {
    const ref = await resultRef(this.store, id, result);
    const row = await new Promise<{ type: ProvingJobType; taken_at: string | null } | undefined>((resolve, reject) => {
      this.settleBatch.push({ id, lease, ref, resolve, reject });
      if (this.settleBatch.length === 1) setImmediate(() => this.flushSettles());
    });
    if (!row) {
      if (typeof ref === 'string' && result instanceof Uint8Array) await this.store.remove(ref).catch(() => undefined);
      this.counters.ignoredReports++;
      this.log.info({ id, lease }, 'ignoring a result from an agent that does not own the job');
      return false;
    }
    this.counters.proved++;
    this.agents.released(id, true);
    if (row.taken_at !== null) this.measured(row.type, (this.now() - Number(row.taken_at)) / 1000);
    return true;
  }

  /** Results reported in the same event-loop turn are written with one statement and one commit. */
  private flushSettles(): void {
    const batch = this.settleBatch;
    this.settleBatch = [];
    const inline = (r: PayloadRef) => (typeof r === 'string' ? null : Buffer.from(r.buffer, r.byteOffset, r.byteLength));
    this.track(
      this.pool.query<{ id: string; lease: string; type: ProvingJobType; taken_at: string | null }>(
        `WITH reported AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[]) AS t(id, lease, result, result_ref)),
              u AS (UPDATE proving_jobs j SET state = 2, result = r.result, result_ref = r.result_ref, lease = NULL, agent_id = NULL
                    FROM reported r WHERE j.id = r.id AND j.lease = r.lease AND j.state = 1 RETURNING j.id, r.lease, j.type, j.taken_at)
         SELECT id, lease, type, taken_at, pg_notify('${CHANNEL}', id) FROM u`,
        [batch.map((b) => b.id), batch.map((b) => b.lease), batch.map((b) => inline(b.ref)), batch.map((b) => (typeof b.ref === 'string' ? b.ref : null))],
      ),
    ).then(
      ({ rows }) => {
        const done = new Map(rows.map((r) => [`${r.id}|${r.lease}`, r]));
        for (const b of batch) b.resolve(done.get(`${b.id}|${b.lease}`));
      },
      (err) => {
        for (const b of batch) b.reject(err);
      },
    );
  }

  async reportProvingJobError(id: ProvingJobId, lease: string, reason: string, retry: boolean, next?: ProvingJobFilter | null): Promise<ProvingJobReportOutcome> {
    this.assertRunning();
    const { rows } = await this.track(
      this.pool.query<{ state: number; attempts: number }>(
        `WITH u AS (UPDATE proving_jobs SET attempts = attempts + 1,
                      state = CASE WHEN $3 AND attempts + 1 < $4 THEN 0 ELSE 3 END,
                      reason = CASE WHEN $3 AND attempts + 1 < $4 THEN reason ELSE $5 END,
                      lease = NULL, agent_id = NULL
                    WHERE id = $1 AND lease = $2 AND state = 1 RETURNING id, state, attempts)
         SELECT state, attempts, CASE WHEN state = 3 THEN pg_notify('${CHANNEL}', id) END FROM u`,
        [id, lease, retry, this.maxAttempts, reason],
      ),
    );
    const row = rows[0];
    if (!row) {
      this.counters.ignoredReports++;
      this.log.info({ id, lease }, 'ignoring an error report from an agent that does not own the job');
      return this.outcome(false, next);
    }
    if (row.state === QUEUED) {
      this.counters.retried++;
      this.log.info({ id, attempts: row.attempts, reason }, 'proving job failed; retrying');
    } else {
      this.counters.failed++;
      this.log.warn({ id, attempts: row.attempts, reason }, 'proving job failed');
    }
    return this.outcome(true, next);
  }

  private async outcome(accepted: boolean, next: ProvingJobFilter | null | undefined): Promise<ProvingJobReportOutcome> {
    if (!next) return { accepted };
    const job = await this.getProvingJob(next);
    return job ? { accepted, next: job } : { accepted };
  }

  async checkTimeouts(): Promise<void> {
    if (this.stopped) return;
    const { rows } = await this.pool.query<{ id: string; state: number; attempts: number }>(
      `WITH u AS (UPDATE proving_jobs SET attempts = attempts + 1,
                    state = CASE WHEN attempts + 1 < $2 THEN 0 ELSE 3 END,
                    reason = CASE WHEN attempts + 1 < $2 THEN reason ELSE 'timed out ' || (attempts + 1) || ' times' END,
                    lease = NULL, agent_id = NULL
                  WHERE state = 1 AND heartbeat_at < $1 RETURNING id, state, attempts)
       SELECT id, state, attempts, CASE WHEN state = 3 THEN pg_notify('${CHANNEL}', id) END FROM u`,
      [this.now() - this.jobTimeoutMs, this.maxAttempts],
    );
    for (const r of rows) {
      this.counters.timedOut++;
      if (r.state === QUEUED) this.log.warn({ id: r.id, attempts: r.attempts }, 'proving job timed out; back to the queue');
      else {
        this.counters.failed++;
        this.log.warn({ id: r.id, attempts: r.attempts }, 'proving job timed out too often; rejecting it');
      }
    }
  }

  /** A measured proof time: shared with the other replicas; when the order changes, the queue is re-keyed (in the background). */
  private measured(type: ProvingJobType, seconds: number): void {
    this.estimates.record(type, seconds);
    if (this.estimates.version === this.keyedWith || this.rekeying) return;
    const run: Promise<void> = this.track(this.rekey())
      .catch((err: Error) => this.log.warn({ err: err.message }, 'could not re-key the queue'))
      .finally(() => {
        if (this.rekeying === run) this.rekeying = undefined;
        if (this.estimates.version !== this.keyedWith && !this.stopped) this.measured(type, Number.NaN);
      });
    this.rekeying = run;
  }

  private async rekey(): Promise<void> {
    this.keyedWith = this.estimates.version;
    const averages = this.estimates.averagesSnapshot();
    const estimates = this.estimates.current();
    await this.pool.query(
      `INSERT INTO proving_time_estimates (type, seconds) SELECT * FROM unnest($1::text[], $2::float8[])
       ON CONFLICT (type) DO UPDATE SET seconds = excluded.seconds`,
      [Object.keys(averages), Object.values(averages)],
    );
    await this.pool.query(
      `UPDATE proving_jobs j SET priority = (e->>j.type)::float8 + COALESCE((SELECT sum((e->>t)::float8) FROM unnest(j.path_to_root) t), 0)
       FROM (SELECT $1::jsonb AS e) x WHERE j.state = 0`,
      [JSON.stringify(Object.fromEntries(PROVING_JOB_TYPES.map((t) => [t, estimates[t]])))],
    );
  }

}

function toBytes(b: Buffer | null): Uint8Array {
  return b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(0);
}

/** The connection URL as it may appear in logs: no password. */
export function redactConnectionString(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
