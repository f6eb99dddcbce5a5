/**
 * A prover agent: N job slots pulling from a ProvingJobConsumer (the broker in-process, or its
 * JSON-RPC client), proving with the given function, heartbeating while it proves, reporting the
 * result. When the broker is unreachable it retries with exponential backoff, logs once per
 * interval, and never crashes.
 */
import { randomBytes } from 'node:crypto';
import { destination, pino } from 'pino';
import { RpcUnauthorizedError } from '@quetzal/kernel/jsonrpc/errors';
import { withinMs } from '@quetzal/kernel/time-limit';
import type { ProvingJobConsumer, ProvingJobFilter, ProvingJobLease, ProvingJobResult, ProvingJobType } from '@quetzal/protocol/proving-jobs';

/** Proves one job; must stop (reject) soon after `signal` aborts. */
export type ProveFunction = (type: ProvingJobType, inputs: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>;

/**
 * JSON-RPC answers that no retry can change: the body is too large or the params are invalid
 * (codes -32002 and -32602). Anything else (no answer, broker stopping) is retried.
 */
function isPermanentRejection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && (code === -32002 || code === -32602);
}

/** A proving error that retrying cannot fix (bad inputs); others are reported as retryable. */
export class NonRetryableProvingError extends Error {
  readonly retryable = false;
}

export interface AgentLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Object storage the agent reads inputs from and writes proofs to when leases name URIs (s3://...). */
export interface AgentObjectStore {
  get(uri: string): Promise<Uint8Array>;
  put(uri: string, data: Uint8Array): Promise<void>;
}

export interface ProvingAgentOptions {
  consumer: ProvingJobConsumer;
  /** When given, the broker's object proof store is used directly: payloads skip the broker. */
  objectStore?: AgentObjectStore;
  prove: ProveFunction;
  /** Jobs proved at once (default 1). */
  concurrency?: number;
  /** Job types this agent proves; empty or absent means all. */
  allowList?: ProvingJobType[];
  /** Wait between polls when the queue is empty (default 1 s). */
  pollIntervalMs?: number;
  /** Heartbeat period while proving (default 5 s; keep it well below the broker's job timeout). */
  heartbeatIntervalMs?: number;
  /** Backoff after a failed broker call: starts here, doubles, capped at backoffMaxMs (defaults 250 ms, 10 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** "Broker unreachable" is logged at most once per this interval (default 30 s). */
  logIntervalMs?: number;
  /** How long stop() waits for aborted jobs to wind down (default 10 s). */
  stopTimeoutMs?: number;
  agentId?: string;
  logger?: AgentLogger;
}

export interface ProvingAgentStats {
  proved: number;
  failed: number;
  /** Jobs abandoned because the broker said they were no longer ours. */
  lost: number;
  brokerErrors: number;
  active: number;
}

export class ProvingAgent {
  readonly agentId: string;
  private readonly consumer: ProvingJobConsumer;
  private readonly prove: ProveFunction;
  private readonly concurrency: number;
  private readonly filter: ProvingJobFilter;
  private readonly pollIntervalMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly logIntervalMs: number;
  private readonly stopTimeoutMs: number;
  private readonly log: AgentLogger;
  private readonly objects: AgentObjectStore | undefined;

  private running = false;
  private loops: Promise<void>[] = [];
  private readonly active = new Set<AbortController>();
  private readonly sleepers = new Set<() => void>();
  private consecutiveFailures = 0;
  private lastFailureLog = 0;
  private failuresSinceLog = 0;
  /** The broker answered but refused our token: an operator must fix it, so the agent is not ready. */
  private tokenRefused = false;
  private readonly counters = { proved: 0, failed: 0, lost: 0, brokerErrors: 0 };

  constructor(options: ProvingAgentOptions) {
    this.consumer = options.consumer;
    this.prove = options.prove;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.agentId = options.agentId ?? `agent-${randomBytes(3).toString('hex')}`;
    this.objects = options.objectStore;
    this.filter = { allowList: options.allowList?.length ? [...options.allowList] : undefined, agentId: this.agentId, slots: this.concurrency, directProofStore: this.objects ? true : undefined };
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5000;
    this.backoffInitialMs = options.backoffInitialMs ?? 250;
    this.backoffMaxMs = options.backoffMaxMs ?? 10_000;
    this.logIntervalMs = options.logIntervalMs ?? 30_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.log = options.logger ?? pino({ name: 'prover-agent', level: 'info' }, destination(2));
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Running, and the broker takes this agent's calls. */
  get isReady(): boolean {
    return this.running && !this.tokenRefused;
  }

  stats(): ProvingAgentStats {
    return { ...this.counters, active: this.active.size };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.log.info({ agent: this.agentId, concurrency: this.concurrency, allowList: this.filter.allowList ?? 'all' }, 'prover agent started');
    this.loops = Array.from({ length: this.concurrency }, (_, slot) =>
      this.slot(slot).catch((err) => this.log.error({ err, slot }, 'agent slot failed unexpectedly')),
    );
  }

  /** Aborts in-flight work, hands the jobs back to the broker if it answers, and waits for the slots to end. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const ac of this.active) ac.abort(new Error('prover agent stopping'));
    for (const wake of [...this.sleepers]) wake();
    await withinMs(Promise.all(this.loops), this.stopTimeoutMs);
    this.log.info({ agent: this.agentId, ...this.counters }, 'prover agent stopped');
  }

  private async slot(slot: number): Promise<void> {
    let lease: ProvingJobLease | undefined;
    while (this.running) {
      if (!lease) {
        try {
          lease = await this.consumer.getProvingJob(this.filter);
          this.brokerReachable();
        } catch (err) {
          this.brokerUnreachable(err);
          await this.sleep(this.backoff());
          continue;
        }
        if (!lease) {
          await this.sleep(this.pollIntervalMs * (0.75 + Math.random() / 2));
          continue;
        }
      }
      lease = await this.work(lease, slot);
    }
    // a job handed out with the last report while stopping: give it back
    if (lease) await this.consumer.abandonProvingJob(lease.job.id, lease.lease).catch(() => false);
  }

  /** Proves one job and reports it; returns the next job if the broker handed one out. */
  private async work(lease: ProvingJobLease, slot: number): Promise<ProvingJobLease | undefined> {
    const { job } = lease;
    if (!this.running) {
      // stop() came while this job was being fetched: hand it back at once
      await this.consumer.abandonProvingJob(job.id, lease.lease).catch(() => false);
      return undefined;
    }
    const ac = new AbortController();
    this.active.add(ac);
    let lost = false;
    const heartbeat = setInterval(() => {
      this.consumer.reportProvingJobProgress(job.id, lease.lease).then(
        (ours) => {
          this.brokerReachable();
          if (!ours && !ac.signal.aborted) {
            lost = true;
            ac.abort(new Error('the broker gave this job to another agent or cancelled it'));
          }
        },
        (err) => this.brokerUnreachable(err),
      );
    }, this.heartbeatIntervalMs);
    const started = performance.now();
    this.log.debug({ id: job.id, slot }, 'proving');
    let result: ProvingJobResult | undefined;
    let failure: unknown;
    try {
      const inputs = lease.inputsUri ? await this.objectStore().get(lease.inputsUri) : job.inputs;
      const proof = await this.prove(job.type, inputs, ac.signal);
      if (lease.resultUri) {
        await this.objectStore().put(lease.resultUri, proof);
        result = { uri: lease.resultUri };
      } else result = proof;
    } catch (err) {
      failure = err;
    } finally {
      clearInterval(heartbeat);
      this.active.delete(ac);
    }
    const ms = Math.round(performance.now() - started);

    if (lost) {
      this.counters.lost++;
      this.log.info({ id: job.id, ms }, 'abandoned a job the broker no longer assigns to this agent');
      return undefined;
    }
    if (!this.running) {
      // stopping: hand the job back at once if the broker answers (else it times out there)
      await this.consumer.abandonProvingJob(job.id, lease.lease).catch(() => false);
      return undefined;
    }
    if (result) {
      this.counters.proved++;
      this.log.debug({ id: job.id, ms }, 'proved');
      try {
        const proved = result;
        return await this.report(job.id, () => this.consumer.reportProvingJobSuccess(job.id, lease.lease, proved, this.filter));
      } catch (err) {
        // the broker refuses this result for good (too large, malformed): tell it the job failed
        const reason = `the broker refused the result: ${err instanceof Error ? err.message : String(err)}`;
        this.log.error({ id: job.id, reason }, 'result refused');
        return this.report(job.id, () => this.consumer.reportProvingJobError(job.id, lease.lease, reason.slice(0, 10_000), false, this.filter)).catch(() => undefined);
      }
    }
    this.counters.failed++;
    const reason = failure instanceof Error ? failure.message : String(failure);
    const retry = !(failure instanceof NonRetryableProvingError) && (failure as { retryable?: boolean } | undefined)?.retryable !== false;
    this.log.warn({ id: job.id, ms, reason, retry }, 'proving failed');
    return this.report(job.id, () => this.consumer.reportProvingJobError(job.id, lease.lease, reason.slice(0, 10_000), retry, this.filter)).catch((err) => {
      this.log.error({ id: job.id, err: err instanceof Error ? err.message : String(err) }, 'the broker refused a failure report');
      return undefined;
    });
  }

  /**
   * Delivers a report, retrying with backoff while the broker is unreachable. Throws when the
   * broker answered that the request itself is unacceptable (retrying cannot help).
   */
  private async report(id: string, send: () => Promise<{ accepted: boolean; next?: ProvingJobLease }>): Promise<ProvingJobLease | undefined> {
    while (this.running) {
      try {
        const outcome = await send();
        this.brokerReachable();
        if (!outcome.accepted) this.log.info({ id }, 'the broker ignored the report (job settled, cancelled or re-assigned)');
        return outcome.next;
      } catch (err) {
        if (isPermanentRejection(err)) {
          this.brokerReachable();
          throw err;
        }
        this.brokerUnreachable(err);
        await this.sleep(this.backoff());
      }
    }
    return undefined;
  }

  private objectStore(): AgentObjectStore {
    if (!this.objects) throw new NonRetryableProvingError('the broker handed out object-store URIs to an agent without object-store access');
    return this.objects;
  }

  private backoff(): number {
    const base = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** Math.min(20, this.consecutiveFailures - 1));
    return base * (0.5 + Math.random() / 2);
  }

  private brokerReachable(): void {
    this.tokenRefused = false;
    if (this.consecutiveFailures > 0) {
      if (this.lastFailureLog > 0) this.log.info({ agent: this.agentId }, 'broker reachable again');
      this.consecutiveFailures = 0;
      this.failuresSinceLog = 0;
      this.lastFailureLog = 0;
    }
  }

  private brokerUnreachable(err: unknown): void {
    this.consecutiveFailures++;
    this.counters.brokerErrors++;
    this.failuresSinceLog++;
    this.tokenRefused = err instanceof RpcUnauthorizedError;
    const now = Date.now();
    if (now - this.lastFailureLog >= this.logIntervalMs) {
      if (this.tokenRefused) this.log.error({ agent: this.agentId, failures: this.failuresSinceLog }, 'the broker refused this agent\'s bearer token: give the agent the broker\'s token (--prover-agent.auth-token); retrying with backoff');
      else this.log.warn({ agent: this.agentId, failures: this.failuresSinceLog, err: err instanceof Error ? err.message : String(err) }, 'broker unreachable; retrying with backoff');
      this.lastFailureLog = now;
      this.failuresSinceLog = 0;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}
