// Broker semantics every implementation must have (memory, LMDB, PostgreSQL): run by
// conformance.test.ts against each. Timeouts are driven by the test (a fake clock and
// checkTimeouts()), so the same assertions hold for a broker whose clock is a database's.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { compareProvingJobPriority, makeProvingJob, proveWith, remainingPathSeconds, type ProvingJob, type ProvingJobLease, type ProvingJobOptions, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { ProvingBrokerError, type ProvingBrokerCommonOptions, type ProvingBrokerService } from '@quetzal/prover-broker';

export const bytes = (...xs: number[]) => new Uint8Array(xs);
export const job = (epoch: number, type: ProvingJobType, n: number, options?: ProvingJobOptions) => makeProvingJob(epoch, type, bytes(n & 255, n >> 8), options);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A started broker on an empty database. */
export type OpenBroker = (options?: Partial<ProvingBrokerCommonOptions>) => Promise<ProvingBrokerService>;

export function brokerConformance(open: OpenBroker): void {
  it('enqueue is idempotent and returns the finished result', async () => {
    const broker = await open();
    const j = job(1, 'base', 1);
    assert.deepEqual(await broker.enqueueProvingJob(j), { status: 'in-queue' });
    assert.deepEqual(await broker.enqueueProvingJob(j), { status: 'in-queue' });
    const taken = await broker.getProvingJob();
    assert.ok(taken);
    assert.deepEqual(taken.job, j);
    assert.deepEqual(await broker.enqueueProvingJob(j), { status: 'in-progress' });
    assert.equal(await broker.getProvingJob(), undefined, 'one job only, even when enqueued three times');
    assert.deepEqual(await broker.reportProvingJobSuccess(j.id, taken.lease, bytes(9)), { accepted: true });
    assert.deepEqual(await broker.enqueueProvingJob(j), { status: 'fulfilled', value: bytes(9) });
    await broker.stop();
  });

  it('refuses jobs whose id does not match', async () => {
    const broker = await open();
    const j = job(1, 'base', 1);
    await assert.rejects(broker.enqueueProvingJob({ ...j, inputs: bytes(5) }), ProvingBrokerError);
    await assert.rejects(broker.enqueueProvingJob({ ...j, epoch: 2 }), /does not match/);
    await assert.rejects(broker.enqueueProvingJob({ ...j, type: 'tx' as ProvingJobType }), /unknown job type/);
    await broker.stop();
  });

  it('serves older epochs first, then claimed before speculative work, then the longest path to the root (Hu), then FIFO', async () => {
    const broker = await open();
    const up = ['merge', 'block-root', 'root-single'] as ProvingJobType[];
    const jobs = [
      job(2, 'base', 1, { pathToRoot: up }),
      job(1, 'root-single', 2), // 16 s
      job(1, 'base', 3, { pathToRoot: up }), // 15 + 27 + 28 + 16 = 86 s
      job(1, 'parity-base', 4, { pathToRoot: ['parity-root', 'block-root', 'root-single'] }), // 73 s
      job(1, 'merge', 5, { pathToRoot: ['block-root', 'root-single'] }), // 71 s
      job(1, 'base', 6, { pathToRoot: ['merge', ...up] }), // 113 s
      job(1, 'base', 7, { pathToRoot: ['merge', ...up], speculative: true }),
      job(1, 'base', 8, { pathToRoot: up }), // 86 s, after 3
    ];
    for (const j of jobs) await broker.enqueueProvingJob(j);
    const order: number[] = [];
    for (let t; (t = await broker.getProvingJob()); ) order.push(t.job.inputs[0]!);
    assert.deepEqual(order, [6, 3, 8, 4, 5, 2, 7, 1]);
    await broker.stop();
  });

  it('promotes speculative jobs (per epoch, or by enqueueing them as claimed) and cancels the speculative rest', async () => {
    const broker = await open();
    const long = ['merge', 'merge', 'block-root', 'root'] as ProvingJobType[];
    const a = job(3, 'base', 1, { pathToRoot: long, speculative: true });
    const b = job(3, 'base', 2, { pathToRoot: long, speculative: true });
    const c = job(3, 'base', 3, { pathToRoot: long, speculative: true });
    const d = job(4, 'base', 4, { pathToRoot: long, speculative: true });
    const claimed = job(3, 'root', 5);
    for (const j of [a, b, c, d, claimed]) await broker.enqueueProvingJob(j);
    assert.equal((await broker.getProvingJob())?.job.id, claimed.id, 'claimed work first, however short');
    assert.deepEqual(await broker.enqueueProvingJob({ ...b, speculative: false }), { status: 'in-queue' });
    assert.equal((await broker.getProvingJob())?.job.id, b.id, 'a job enqueued again as claimed is promoted');
    assert.equal(await broker.cancelSpeculativeProvingJobs(3), 2);
    assert.deepEqual(await broker.getProvingJobStatus(a.id), { status: 'not-found' });
    assert.deepEqual(await broker.getProvingJobStatus(b.id), { status: 'in-progress' });
    assert.equal(await broker.promoteProvingJobs(4), 1);
    assert.equal(await broker.promoteProvingJobs(4), 0);
    assert.equal(await broker.cancelSpeculativeProvingJobs(4), 0, 'promoted work stays');
    assert.equal((await broker.getProvingJob())?.job.id, d.id);
    await broker.stop();
  });

  it('keeps its per-circuit time estimates current from measured proofs and re-ranks the queue', async () => {
    let now = 0;
    const broker = await open({ now: () => now });
    const base = job(1, 'base', 1, { pathToRoot: ['block-root'] }); // defaults: 15 + 28 = 43 s
    const parity = job(1, 'parity-base', 2, { pathToRoot: ['parity-root', 'block-root'] }); // 2 + 27 + 28 = 57 s
    await broker.enqueueProvingJob(base);
    await broker.enqueueProvingJob(parity);
    // base proofs take 100 s, parity-root ones 1 s: the base path is now the longer one
    for (const [type, seconds, n] of [['base', 100, 10], ['parity-root', 1, 11]] as const) {
      await broker.enqueueProvingJob(job(0, type, n));
      const t = (await broker.getProvingJob({ allowList: [type] }))!;
      assert.equal(t.job.epoch, 0);
      now += seconds * 1000;
      await broker.reportProvingJobSuccess(t.job.id, t.lease, bytes(1));
    }
    const e = broker.estimates.current();
    assert.equal(e.base, 100);
    assert.equal(e['parity-root'], 1);
    assert.ok(e['block-root'] > 28, 'unmeasured circuits scale with the measured ones');
    assert.equal((await broker.getProvingJob())?.job.id, base.id);
    await broker.stop();
  });

  it('reports its capacity: the slots of the agents seen within the window, and its proving times', async () => {
    let now = 0;
    const broker = await open({ jobTimeoutMs: 10_000, now: () => now });
    assert.deepEqual({ ...(await broker.getProvingCapacity()), provingSeconds: undefined }, { agents: 0, slots: 0, provingSeconds: undefined, measured: [] });
    await broker.getProvingJob({ agentId: 'a', slots: 4 });
    await broker.getProvingJob({ agentId: 'b' }); // an agent that does not say proves one at a time
    await broker.getProvingJob({ agentId: 'a', slots: 4 }); // the same agent again
    await broker.enqueueProvingJob(job(1, 'merge', 1));
    const t = (await broker.getProvingJob({ agentId: 'c', slots: 2 }))!;
    now += 30_000;
    await broker.reportProvingJobSuccess(t.job.id, t.lease, bytes(1), { agentId: 'c', slots: 2 });
    const cap = await broker.getProvingCapacity();
    assert.deepEqual([cap.agents, cap.slots], [3, 7]);
    assert.equal(cap.provingSeconds.merge, 30, 'the measured merge time');
    assert.deepEqual(cap.measured, ['merge']);
    now += 60_000; // a minute without a word from a and b
    assert.deepEqual(Object.values(await broker.getProvingCapacity()).slice(0, 2), [1, 2], 'only c is left');
    await broker.stop();
  });

  it('reports the queue per circuit type and the agents it heard from, with their jobs and recent proofs', async () => {
    let now = 1_000_000;
    const broker = await open({ now: () => now });
    for (const j of [job(1, 'base', 1), job(1, 'base', 2), job(1, 'parity-base', 3)]) await broker.enqueueProvingJob(j);
    assert.equal(await broker.getProvingJob({ agentId: 'idle', allowList: ['root'] }), undefined);
    const a = (await broker.getProvingJob({ agentId: 'a', allowList: ['base'] }))!;
    now += 1000;
    const b = (await broker.getProvingJob({ agentId: 'b', allowList: ['base'] }))!;
    await broker.reportProvingJobSuccess(b.job.id, b.lease, bytes(1));
    let status = await broker.status();
    assert.deepEqual(
      [...status.queue].sort((x, y) => x.type.localeCompare(y.type)),
      [
        { type: 'base', queued: 0, inProgress: 1 },
        { type: 'parity-base', queued: 1, inProgress: 0 },
      ],
    );
    assert.deepEqual(status.agents.map((x) => [x.id, x.lastSeenAt, x.jobs.map((j) => j.id), x.provedLastHour]), [
      ['b', 1_001_000, [], 1],
      ['idle', 1_000_000, [], 0],
      ['a', 1_000_000, [a.job.id], 0],
    ]);
    now += 30 * 60_000;
    await broker.reportProvingJobProgress(a.job.id, a.lease);
    now += 31 * 60_000;
    status = await broker.status();
    assert.deepEqual(status.agents.map((x) => x.id), ['a'], 'agents silent for an hour are dropped; heartbeats keep one listed');
    await broker.stop();
  });

  it('honours the allow-list', async () => {
    const broker = await open();
    await broker.enqueueProvingJob(job(1, 'root', 1));
    await broker.enqueueProvingJob(job(1, 'base', 2));
    const t = await broker.getProvingJob({ allowList: ['base', 'merge'] });
    assert.equal(t?.job.type, 'base');
    assert.equal(await broker.getProvingJob({ allowList: ['merge'] }), undefined);
    assert.equal((await broker.getProvingJob({ allowList: [] }))?.job.type, 'root');
    await broker.stop();
  });

  it('re-queues a job whose agent stops heartbeating, and ignores the old owner afterwards', async () => {
    let now = 1000;
    const broker = await open({ jobTimeoutMs: 100, timeoutCheckIntervalMs: 1_000_000, now: () => now });
    const j = job(1, 'base', 1);
    await broker.enqueueProvingJob(j);
    const a = (await broker.getProvingJob({ agentId: 'a' }))!;
    now += 80;
    assert.equal(await broker.reportProvingJobProgress(j.id, a.lease), true);
    now += 80;
    await broker.checkTimeouts();
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'in-progress' }, 'the heartbeat kept it');
    now += 200;
    await broker.checkTimeouts();
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'in-queue' });
    const b = (await broker.getProvingJob({ agentId: 'b' }))!;
    assert.equal(b.job.id, j.id);
    assert.notEqual(b.lease, a.lease);
    assert.equal(await broker.reportProvingJobProgress(j.id, a.lease), false, 'the old owner is told to stop');
    assert.deepEqual(await broker.reportProvingJobSuccess(j.id, a.lease, bytes(1)), { accepted: false });
    assert.deepEqual(await broker.reportProvingJobError(j.id, a.lease, 'x', false), { accepted: false });
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'in-progress' });
    assert.deepEqual(await broker.reportProvingJobSuccess(j.id, b.lease, bytes(2)), { accepted: true });
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'fulfilled', value: bytes(2) });
    assert.deepEqual(await broker.reportProvingJobSuccess(j.id, b.lease, bytes(3)), { accepted: false }, 'settled jobs stay settled');
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'fulfilled', value: bytes(2) });
    await broker.stop();
  });

  it('retries retryable errors up to the limit, then rejects', async () => {
    const broker = await open({ maxAttempts: 3 });
    const j = job(1, 'merge', 1);
    await broker.enqueueProvingJob(j);
    for (let i = 0; i < 2; i++) {
      const t = (await broker.getProvingJob())!;
      assert.deepEqual(await broker.reportProvingJobError(j.id, t.lease, `boom ${i}`, true), { accepted: true });
      assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'in-queue' });
    }
    const t = (await broker.getProvingJob())!;
    await broker.reportProvingJobError(j.id, t.lease, 'boom 2', true);
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'rejected', reason: 'boom 2' });
    const k = job(1, 'merge', 2);
    await broker.enqueueProvingJob(k);
    const u = (await broker.getProvingJob())!;
    await broker.reportProvingJobError(k.id, u.lease, 'bad inputs', false);
    assert.deepEqual(await broker.getProvingJobStatus(k.id), { status: 'rejected', reason: 'bad inputs' }, 'non-retryable errors reject at once');
    await broker.stop();
  });

  it('an agent can give a job back without using up an attempt', async () => {
    const broker = await open({ maxAttempts: 1 });
    const j = job(1, 'base', 1);
    await broker.enqueueProvingJob(j);
    for (let i = 0; i < 3; i++) {
      const t = (await broker.getProvingJob())!;
      assert.equal(await broker.abandonProvingJob(j.id, t.lease), true);
      assert.equal(await broker.abandonProvingJob(j.id, t.lease), false, 'only the owner can');
    }
    const t = (await broker.getProvingJob())!;
    assert.deepEqual(await broker.reportProvingJobSuccess(j.id, t.lease, bytes(1)), { accepted: true });
    await broker.stop();
  });

  it('rejects a job that times out maxAttempts times', async () => {
    let now = 0;
    const broker = await open({ jobTimeoutMs: 10, timeoutCheckIntervalMs: 1_000_000, maxAttempts: 2, now: () => now });
    const j = job(1, 'base', 1);
    await broker.enqueueProvingJob(j);
    for (let i = 0; i < 2; i++) {
      assert.ok(await broker.getProvingJob());
      now += 100;
      await broker.checkTimeouts();
    }
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'rejected', reason: 'timed out 2 times' });
    await broker.stop();
  });

  it('cancels by id: the job disappears and its agent is told to stop', async () => {
    const broker = await open();
    const j = job(1, 'base', 1);
    const k = job(1, 'base', 2);
    await broker.enqueueProvingJob(j);
    await broker.enqueueProvingJob(k);
    const t = (await broker.getProvingJob())!;
    const wait = broker.waitForProvingJobs([j.id], 5000);
    assert.equal(await broker.cancelProvingJob(j.id), true);
    assert.deepEqual(await wait, [j.id]);
    assert.equal(await broker.reportProvingJobProgress(j.id, t.lease), false);
    assert.deepEqual(await broker.reportProvingJobSuccess(j.id, t.lease, bytes(1)), { accepted: false });
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'not-found' });
    assert.equal(await broker.cancelProvingJob(j.id), false);
    assert.equal(await broker.cancelProvingJob(k.id), true);
    assert.equal(await broker.getProvingJob(), undefined, 'a cancelled queued job is not handed out');
    await broker.stop();
  });

  it('garbage-collects whole epochs', async () => {
    const broker = await open();
    for (let e = 1; e <= 4; e++) for (let i = 0; i < 3; i++) await broker.enqueueProvingJob(job(e, 'base', i));
    const t = (await broker.getProvingJob())!;
    await broker.reportProvingJobSuccess(t.job.id, t.lease, bytes(1));
    assert.equal(await broker.cleanupEpochsBefore(3), 6);
    assert.deepEqual(await broker.getProvingJobStatus(t.job.id), { status: 'not-found' });
    assert.equal((await broker.stats()).jobs, 6);
    assert.equal((await broker.getProvingJob())?.job.epoch, 3);
    assert.equal(await broker.cleanupEpochsBefore(3), 0);
    await broker.stop();
  });

  it('garbage-collects automatically with retainEpochs', async () => {
    const broker = await open({ retainEpochs: 2 });
    for (let e = 1; e <= 3; e++) await broker.enqueueProvingJob(job(e, 'base', e));
    assert.equal((await broker.stats()).jobs, 3);
    await broker.enqueueProvingJob(job(4, 'base', 4));
    for (let i = 0; i < 200 && (await broker.getProvingJobStatus(job(1, 'base', 1).id)).status !== 'not-found'; i++) await sleep(10);
    assert.deepEqual(await broker.getProvingJobStatus(job(1, 'base', 1).id), { status: 'not-found' });
    assert.equal((await broker.stats()).jobs, 3, 'epochs 2..4 kept');
    await broker.enqueueProvingJob(job(2, 'base', 9));
    assert.equal((await broker.stats()).jobs, 4, 'a late job of a kept epoch is accepted');
    await broker.stop();
  });

  it('long-polls for settled jobs and proveWith returns the proof', async () => {
    const broker = await open();
    const j = job(3, 'root', 1);
    const proof = proveWith(broker, j, { pollMs: 2000 });
    await sleep(10);
    assert.deepEqual(await broker.waitForProvingJobs([j.id], 20), [], 'times out with nothing settled');
    const t = (await broker.getProvingJob())!;
    await broker.reportProvingJobSuccess(j.id, t.lease, bytes(4, 2));
    assert.deepEqual(await proof, bytes(4, 2));
    assert.deepEqual(await broker.waitForProvingJobs([j.id, '1:base:' + 'a'.repeat(64)], 1000), [j.id, '1:base:' + 'a'.repeat(64)]);
    await broker.stop();
  });

  it('hands out the next job with a report', async () => {
    const broker = await open();
    await broker.enqueueProvingJob(job(1, 'base', 1));
    await broker.enqueueProvingJob(job(1, 'base', 2));
    const t = (await broker.getProvingJob())!;
    const out = await broker.reportProvingJobSuccess(t.job.id, t.lease, bytes(1), { allowList: ['base'] });
    assert.equal(out.accepted, true);
    assert.equal(out.next?.job.inputs[0], 2);
    const out2 = await broker.reportProvingJobSuccess(out.next!.job.id, out.next!.lease, bytes(1), {});
    assert.deepEqual(out2, { accepted: true });
    await broker.stop();
  });
  it('stay rejected on re-enqueue; cancel then enqueue tries again', async () => {
    const broker = await open();
    const j = job(1, 'base', 1);
    await broker.enqueueProvingJob(j);
    const t = (await broker.getProvingJob())!;
    await broker.reportProvingJobError(j.id, t.lease, 'bad', false);
    assert.deepEqual(await broker.enqueueProvingJob(j), { status: 'rejected', reason: 'bad' });
    assert.equal(await broker.cancelProvingJob(j.id), true);
    assert.deepEqual(await broker.enqueueProvingJob(j), { status: 'in-queue' });
    assert.equal((await broker.getProvingJob())?.job.id, j.id);
    await broker.stop();
  });
}

// ---------------------------------------------------------------- properties

const TYPES: ProvingJobType[] = ['parity-base', 'base', 'merge', 'block-root', 'root'];
const TIMEOUT = 100;

type Action =
  | { kind: 'enqueue'; epoch: number; type: number; n: number; big: boolean; speculative: boolean; depth: number }
  | { kind: 'take'; allow: number }
  | { kind: 'success'; pick: number; stale: boolean }
  | { kind: 'error'; pick: number; retry: boolean }
  | { kind: 'heartbeat'; pick: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'gc'; epoch: number }
  | { kind: 'restart' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('enqueue' as const), epoch: fc.integer({ min: 1, max: 3 }), type: fc.integer({ min: 0, max: TYPES.length - 1 }), n: fc.integer({ min: 0, max: 6 }), big: fc.boolean(), speculative: fc.boolean(), depth: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('take' as const), allow: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('success' as const), pick: fc.nat(), stale: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('error' as const), pick: fc.nat(), retry: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 10, max: 250 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('gc' as const), epoch: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

/** A database the property test reopens brokers on (restarts), emptied between scenarios. */
export interface ReopenableBroker {
  /** Empties the database. */
  fresh(): Promise<void>;
  /** A started broker on the database (a restart when one was open before). */
  open(options: Partial<ProvingBrokerCommonOptions>): Promise<ProvingBrokerService>;
  /** Whether jobs survive a restart (restart actions are skipped otherwise). */
  persistent: boolean;
  close(): Promise<void>;
}

async function runScenario(db: ReopenableBroker, actions: Action[]): Promise<void> {
  await db.fresh();
  let now = 0;
  // timeouts driven by the test
  const open = () => db.open({ jobTimeoutMs: TIMEOUT, timeoutCheckIntervalMs: 1_000_000, maxAttempts: 3, now: () => now });
  let broker = await open();
  const check = () => broker.checkTimeouts();

  const known = new Map<string, ProvingJob>(); // everything ever enqueued and not cancelled/collected
  const order: string[] = []; // enqueue order
  const speculative = new Set<string>(); // not promoted
  const held: ProvingJobLease[] = []; // leases our simulated agents hold (possibly stale)
  const latestLease = new Map<string, string>();
  // leases the broker must still honour: handed out (or adopted back) and not timed out since
  const valid = new Set<string>();
  const lastBeat = new Map<string, number>();
  const results = new Map<string, Uint8Array>(); // accepted proofs
  const proofOf = (id: string, lease: string) => new TextEncoder().encode(`${id}|${lease}`).slice(0, 40);

  const status = (id: string) => broker.getProvingJobStatus(id);
  const forget = (id: string) => {
    known.delete(id);
    results.delete(id);
    speculative.delete(id);
    order.splice(order.indexOf(id), 1);
    for (const l of held) if (l.job.id === id) valid.delete(l.lease);
  };

  try {
    for (const a of actions) {
      switch (a.kind) {
        case 'enqueue': {
          const inputs = a.big ? new Uint8Array(100).fill(a.n) : new Uint8Array([a.n, a.type]);
          const job = makeProvingJob(a.epoch, TYPES[a.type]!, inputs, { speculative: a.speculative, pathToRoot: Array<ProvingJobType>(a.depth).fill('merge') });
          const before = known.has(job.id) ? await status(job.id) : undefined;
          const s = await broker.enqueueProvingJob(job);
          if (before) {
            assert.deepEqual(s, before, 'enqueue of a known id returns its status');
            if (!a.speculative) speculative.delete(job.id); // promoted
          } else {
            if (a.speculative) speculative.add(job.id);
            assert.deepEqual(s, { status: 'in-queue' });
            known.set(job.id, job);
            order.push(job.id);
          }
          break;
        }
        case 'take': {
          const allow = a.allow === 0 ? undefined : TYPES.slice(0, a.allow + 1);
          // the broker must hand out the best queued job the filter allows
          let best: ProvingJob | undefined;
          let bestKey;
          for (const [seq, id] of order.entries()) {
            const j = known.get(id);
            if (!j || (allow && !allow.includes(j.type))) continue;
            if ((await status(id)).status !== 'in-queue') continue;
            const key = { epoch: j.epoch, speculative: speculative.has(id), remainingSeconds: remainingPathSeconds(j.type, j.pathToRoot, broker.estimates.current()), seq };
            if (!bestKey || compareProvingJobPriority(key, bestKey) < 0) {
              best = j;
              bestKey = key;
            }
          }
          const lease = await broker.getProvingJob(allow ? { allowList: allow } : undefined);
          assert.equal(lease?.job.id, best?.id, 'highest-priority queued job');
          if (lease) {
            const { id, type, epoch, inputs } = known.get(lease.job.id)!;
            assert.deepEqual(lease.job, { id, type, epoch, inputs }, 'inputs come back intact');
            held.push(lease);
            latestLease.set(lease.job.id, lease.lease);
            valid.add(lease.lease);
            lastBeat.set(lease.lease, now);
          }
          break;
        }
        case 'success':
        case 'error':
        case 'heartbeat': {
          if (held.length === 0) break;
          const l = held[a.pick % held.length]!;
          const lease = a.kind === 'success' && a.stale ? `${l.lease}0` : l.lease;
          const isLatest = latestLease.get(l.job.id) === lease;
          const before = await status(l.job.id);
          const owner = isLatest && valid.has(lease) && before.status === 'in-progress';
          if (a.kind === 'heartbeat') {
            const ok = await broker.reportProvingJobProgress(l.job.id, lease);
            if (ok) {
              assert.ok(isLatest && (before.status === 'in-progress' || before.status === 'in-queue'), 'only the latest lease may heartbeat');
              valid.add(lease); // kept, or adopted back after a restart
              lastBeat.set(lease, now);
            } else assert.ok(!owner, 'the owner of an in-progress job was refused a heartbeat');
            break;
          }
          const out =
            a.kind === 'success'
              ? await broker.reportProvingJobSuccess(l.job.id, lease, proofOf(l.job.id, lease))
              : await broker.reportProvingJobError(l.job.id, lease, 'boom', a.retry);
          if (out.accepted) {
            assert.ok(isLatest, 'an accepted report comes from the latest lease');
            assert.ok(before.status === 'in-progress' || before.status === 'in-queue', `accepted report on a ${before.status} job`);
            if (a.kind === 'success') results.set(l.job.id, proofOf(l.job.id, lease));
            valid.delete(lease);
          } else assert.ok(!owner, 'the owner of an in-progress job was refused');
          break;
        }
        case 'tick':
          now += a.ms;
          await check();
          for (const l of valid) if (now - lastBeat.get(l)! > TIMEOUT) valid.delete(l);
          break;
        case 'cancel': {
          if (order.length === 0) break;
          const id = order[a.pick % order.length]!;
          const existed = await broker.cancelProvingJob(id);
          assert.equal(existed, known.has(id));
          forget(id);
          assert.deepEqual(await status(id), { status: 'not-found' });
          break;
        }
        case 'gc': {
          const doomed = [...known.values()].filter((j) => j.epoch < a.epoch);
          assert.equal(await broker.cleanupEpochsBefore(a.epoch), doomed.length);
          for (const j of doomed) forget(j.id);
          break;
        }
        case 'restart': {
          if (!db.persistent) break;
          const before = new Map<string, string>();
          for (const id of known.keys()) before.set(id, (await status(id)).status);
          await broker.stop();
          broker = await open();
          for (const [id, s] of before) {
            const after = (await status(id)).status;
            if (s === 'fulfilled' || s === 'rejected') assert.equal(after, s, 'settled jobs survive a restart');
            // queued again (embedded: its lease may adopt it back) or still leased (PostgreSQL keeps leases)
            else assert.ok(after === 'in-queue' || (after === 'in-progress' && s === 'in-progress'), `unfinished job ${s} before a restart, ${after} after`);
          }
          break;
        }
      }
      // after every step: every accepted proof is what the broker serves
      for (const [id, proof] of results) assert.deepEqual(await status(id), { status: 'fulfilled', value: proof });
      for (const id of known.keys()) assert.notEqual((await status(id)).status, 'not-found');
    }
  } finally {
    await broker.stop();
  }
}

/** Random sequences of producer, agent, clock and restart actions, checking invariants after every step. */
export function brokerProperties(db: ReopenableBroker, numRuns: number): void {
  it('holds its invariants over random action sequences, across restarts', async () => {
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 60 }), (actions) => runScenario(db, actions)),
        { numRuns, seed: 7 },
      );
    } finally {
      await db.close();
    }
  });
}

