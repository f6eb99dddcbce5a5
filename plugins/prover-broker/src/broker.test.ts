import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { makeProvingJob, makeProvingJobId, parseProvingJobId, proveWith, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { ProvingBroker, ProvingBrokerError, type ProvingBrokerOptions } from './broker.js';
import { MemoryBrokerDatabase } from './database.js';
import { LmdbBrokerDatabase } from './lmdb-database.js';
import { DirectoryProofStore } from './proof-store.js';

const logger = pino({ level: 'silent' });
const bytes = (...xs: number[]) => new Uint8Array(xs);
const job = (epoch: number, type: ProvingJobType, n: number) => makeProvingJob(epoch, type, bytes(n & 255, n >> 8));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'quetzal-broker-test-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function memoryBroker(options: Partial<ProvingBrokerOptions> = {}): Promise<ProvingBroker> {
  const broker = new ProvingBroker({ database: new MemoryBrokerDatabase(), logger, ...options });
  await broker.start();
  return broker;
}

describe('job ids', () => {
  it('are epoch:type:sha256(inputs), deterministic, and parse back', () => {
    const id = makeProvingJobId(7, 'merge', bytes(1, 2, 3));
    assert.equal(id, '7:merge:039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81');
    assert.equal(makeProvingJobId(7, 'merge', bytes(1, 2, 3)), id);
    assert.notEqual(makeProvingJobId(8, 'merge', bytes(1, 2, 3)), id);
    assert.deepEqual(parseProvingJobId(id), { epoch: 7, type: 'merge', hash: id.slice(8) });
    assert.equal(parseProvingJobId('7:tx:' + '0'.repeat(64)), undefined);
    assert.equal(parseProvingJobId('07:merge:' + '0'.repeat(64)), undefined);
  });
});

describe('ProvingBroker (memory)', () => {
  it('reports the queue per circuit type and the agents it heard from, with their jobs and recent proofs', async () => {
    let now = 1_000_000;
    const broker = await memoryBroker({ now: () => now });
    for (const j of [job(1, 'base', 1), job(1, 'base', 2), job(1, 'parity-base', 3)]) await broker.enqueueProvingJob(j);
    assert.equal(await broker.getProvingJob({ agentId: 'idle', allowList: ['root'] }), undefined);
    const a = (await broker.getProvingJob({ agentId: 'a', allowList: ['base'] }))!;
    now += 1000;
    const b = (await broker.getProvingJob({ agentId: 'b', allowList: ['base'] }))!;
    await broker.reportProvingJobSuccess(b.job.id, b.lease, bytes(1));
    let status = broker.status();
    assert.deepEqual(status.queue, [
      { type: 'parity-base', queued: 1, inProgress: 0 },
      { type: 'base', queued: 0, inProgress: 1 },
    ]);
    assert.deepEqual(status.agents.map((x) => [x.id, x.lastSeenAt, x.jobs.map((j) => j.id), x.provedLastHour]), [
      ['b', 1_001_000, [], 1],
      ['idle', 1_000_000, [], 0],
      ['a', 1_000_000, [a.job.id], 0],
    ]);
    now += 30 * 60_000;
    await broker.reportProvingJobProgress(a.job.id, a.lease);
    now += 31 * 60_000;
    status = broker.status();
    assert.deepEqual(status.agents.map((x) => x.id), ['a'], 'agents silent for an hour are dropped; heartbeats keep one listed');
    await broker.stop();
  });

  it('enqueue is idempotent and returns the finished result', async () => {
    const broker = await memoryBroker();
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
    const broker = await memoryBroker();
    const j = job(1, 'base', 1);
    await assert.rejects(broker.enqueueProvingJob({ ...j, inputs: bytes(5) }), ProvingBrokerError);
    await assert.rejects(broker.enqueueProvingJob({ ...j, epoch: 2 }), /does not match/);
    await assert.rejects(broker.enqueueProvingJob({ ...j, type: 'tx' as ProvingJobType }), /unknown job type/);
    await broker.stop();
  });

  it('serves older epochs first, then circuits nearest the root, then FIFO', async () => {
    const broker = await memoryBroker();
    const jobs = [job(2, 'root', 1), job(1, 'base', 2), job(1, 'parity-base', 3), job(1, 'merge', 4), job(1, 'block-root', 5), job(1, 'block-merge', 6), job(1, 'root', 7), job(1, 'parity-root', 8), job(1, 'base', 9)];
    for (const j of jobs) await broker.enqueueProvingJob(j);
    const order: string[] = [];
    for (let t; (t = await broker.getProvingJob()); ) order.push(`${t.job.epoch}:${t.job.type}:${t.job.inputs[0]}`);
    assert.deepEqual(order, ['1:root:7', '1:block-merge:6', '1:block-root:5', '1:merge:4', '1:parity-root:8', '1:base:2', '1:parity-base:3', '1:base:9', '2:root:1']);
    await broker.stop();
  });

  it('honours the allow-list', async () => {
    const broker = await memoryBroker();
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
    const broker = await memoryBroker({ jobTimeoutMs: 100, timeoutCheckIntervalMs: 5, now: () => now });
    const j = job(1, 'base', 1);
    await broker.enqueueProvingJob(j);
    const a = (await broker.getProvingJob({ agentId: 'a' }))!;
    now += 80;
    assert.equal(await broker.reportProvingJobProgress(j.id, a.lease), true);
    now += 80;
    await sleep(20);
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'in-progress' }, 'the heartbeat kept it');
    now += 200;
    await sleep(20);
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
    const broker = await memoryBroker({ maxAttempts: 3 });
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
    const broker = await memoryBroker({ maxAttempts: 1 });
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
    const broker = await memoryBroker({ jobTimeoutMs: 10, timeoutCheckIntervalMs: 5, maxAttempts: 2, now: () => now });
    const j = job(1, 'base', 1);
    await broker.enqueueProvingJob(j);
    for (let i = 0; i < 2; i++) {
      assert.ok(await broker.getProvingJob());
      now += 100;
      await sleep(25);
    }
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'rejected', reason: 'timed out 2 times' });
    await broker.stop();
  });

  it('cancels by id: the job disappears and its agent is told to stop', async () => {
    const broker = await memoryBroker();
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
    const broker = await memoryBroker();
    for (let e = 1; e <= 4; e++) for (let i = 0; i < 3; i++) await broker.enqueueProvingJob(job(e, 'base', i));
    const t = (await broker.getProvingJob())!;
    await broker.reportProvingJobSuccess(t.job.id, t.lease, bytes(1));
    assert.equal(await broker.cleanupEpochsBefore(3), 6);
    assert.deepEqual(await broker.getProvingJobStatus(t.job.id), { status: 'not-found' });
    assert.equal(broker.stats().jobs, 6);
    assert.equal((await broker.getProvingJob())?.job.epoch, 3);
    assert.equal(await broker.cleanupEpochsBefore(3), 0);
    await broker.stop();
  });

  it('garbage-collects automatically with retainEpochs', async () => {
    const broker = await memoryBroker({ retainEpochs: 2 });
    for (let e = 1; e <= 3; e++) await broker.enqueueProvingJob(job(e, 'base', e));
    assert.equal(broker.stats().jobs, 3);
    await broker.enqueueProvingJob(job(4, 'base', 4));
    await sleep(5);
    assert.deepEqual(await broker.getProvingJobStatus(job(1, 'base', 1).id), { status: 'not-found' });
    assert.equal(broker.stats().jobs, 3, 'epochs 2..4 kept');
    await broker.enqueueProvingJob(job(2, 'base', 9));
    assert.equal(broker.stats().jobs, 4, 'a late job of a kept epoch is accepted');
    await broker.stop();
  });

  it('long-polls for settled jobs and proveWith returns the proof', async () => {
    const broker = await memoryBroker();
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
    const broker = await memoryBroker();
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
});

describe('ProvingBroker (LMDB + directory store)', () => {
  async function open(dir: string, options: Partial<ProvingBrokerOptions> = {}) {
    const broker = new ProvingBroker({
      database: new LmdbBrokerDatabase({ path: join(dir, 'db') }),
      proofStore: new DirectoryProofStore({ directory: join(dir, 'proofs'), inlineThresholdBytes: 64 }),
      logger,
      ...options,
    });
    await broker.start();
    return broker;
  }

  it('survives a restart: results kept, unfinished jobs re-queued in order, old owners adopt their jobs back', async () => {
    const dir = await tempDir();
    let broker = await open(dir);
    const big = makeProvingJob(1, 'base', new Uint8Array(10_000).fill(7));
    const jobs = [job(1, 'base', 1), job(1, 'base', 2), job(1, 'merge', 3), big];
    for (const j of jobs) await broker.enqueueProvingJob(j);
    const t1 = (await broker.getProvingJob())!; // merge
    assert.equal(t1.job.type, 'merge');
    const proof = new Uint8Array(5000).fill(9);
    await broker.reportProvingJobSuccess(t1.job.id, t1.lease, proof);
    const t2 = (await broker.getProvingJob())!; // base 1, left in progress
    assert.equal(t2.job.inputs[0], 1);
    await broker.stop();

    assert.deepEqual((await readdir(join(dir, 'proofs'))).sort(), [`1_base_${big.id.split(':')[2]}.in`, `1_merge_${t1.job.id.split(':')[2]}.out`].sort());

    broker = await open(dir);
    assert.deepEqual(await broker.getProvingJobStatus(t1.job.id), { status: 'fulfilled', value: proof });
    assert.deepEqual(await broker.enqueueProvingJob(jobs[2]!), { status: 'fulfilled', value: proof }, 're-enqueue returns the stored proof');
    assert.deepEqual(await broker.getProvingJobStatus(t2.job.id), { status: 'in-queue' });
    // the agent from before the restart heartbeats: it keeps its job
    assert.equal(await broker.reportProvingJobProgress(t2.job.id, t2.lease), true);
    const next = (await broker.getProvingJob())!;
    assert.equal(next.job.inputs[0], 2, 'the adopted job is not handed out again');
    const third = (await broker.getProvingJob())!;
    assert.deepEqual(third.job, big, 'large inputs come back from the file store');
    assert.deepEqual(await broker.reportProvingJobSuccess(t2.job.id, t2.lease, bytes(1)), { accepted: true });
    await broker.stop();
  });

  it('an old-instance lease cannot steal a job that was re-assigned', async () => {
    const dir = await tempDir();
    let broker = await open(dir);
    const j = job(1, 'base', 1);
    await broker.enqueueProvingJob(j);
    const old = (await broker.getProvingJob())!;
    await broker.stop();
    broker = await open(dir);
    const fresh = (await broker.getProvingJob())!;
    assert.deepEqual(await broker.reportProvingJobSuccess(j.id, old.lease, bytes(1)), { accepted: false });
    assert.deepEqual(await broker.reportProvingJobSuccess(j.id, fresh.lease, bytes(2)), { accepted: true });
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'fulfilled', value: bytes(2) });
    await broker.stop();
  });

  it('sweeps orphan payload files and deletes files on GC', async () => {
    const dir = await tempDir();
    let broker = await open(dir);
    const big = makeProvingJob(1, 'base', new Uint8Array(1000).fill(1));
    await broker.enqueueProvingJob(big);
    await broker.stop();
    await writeFile(join(dir, 'proofs', 'orphan.in'), 'x');
    broker = await open(dir);
    assert.equal((await readdir(join(dir, 'proofs'))).length, 1);
    assert.equal(await broker.cleanupEpochsBefore(2), 1);
    assert.deepEqual(await readdir(join(dir, 'proofs')), []);
    await broker.stop();
    broker = await open(dir);
    assert.equal(broker.stats().jobs, 0, 'GC is durable');
    await broker.stop();
  });

  it('many concurrent enqueues and reports complete and persist', async () => {
    const dir = await tempDir();
    let broker = await open(dir);
    const jobs = Array.from({ length: 500 }, (_, i) => job(1 + (i % 3), 'base', i));
    await Promise.all(jobs.map((j) => broker.enqueueProvingJob(j)));
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let t; (t = await broker.getProvingJob()); ) await broker.reportProvingJobSuccess(t.job.id, t.lease, t.job.inputs);
      }),
    );
    await broker.stop();
    broker = await open(dir);
    assert.deepEqual(broker.stats(), { jobs: 500, queued: 0, inProgress: 0, fulfilled: 500, rejected: 0 });
    assert.deepEqual(await broker.getProvingJobStatus(jobs[123]!.id), { status: 'fulfilled', value: jobs[123]!.inputs });
    await broker.stop();
  });
});

describe('broker metrics', () => {
  it('exposes jobs by state and cumulative counters', async () => {
    const { Registry } = await import('prom-client');
    const { registerProvingBrokerMetrics } = await import('./metrics.js');
    const broker = await memoryBroker({ maxAttempts: 2 });
    const registry = new Registry();
    registerProvingBrokerMetrics(registry, broker);
    await broker.enqueueProvingJob(job(1, 'base', 1));
    await broker.enqueueProvingJob(job(1, 'base', 2));
    const t = (await broker.getProvingJob())!;
    await broker.reportProvingJobError(t.job.id, t.lease, 'flaky', true);
    await broker.reportProvingJobSuccess(t.job.id, 'someone.else', bytes(1));
    const text = await registry.metrics();
    assert.match(text, /quetzal_prover_broker_jobs\{state="queued"\} 2/);
    assert.match(text, /quetzal_prover_broker_enqueued_total 2/);
    assert.match(text, /quetzal_prover_broker_retried_total 1/);
    assert.match(text, /quetzal_prover_broker_ignored_reports_total 1/, 'a lease of an unknown broker instance is refused');
    const again = await registry.metrics();
    assert.match(again, /quetzal_prover_broker_enqueued_total 2/, 'counters do not double on a second scrape');
    await broker.stop();
  });
});

describe('rejected jobs', () => {
  it('stay rejected on re-enqueue; cancel then enqueue tries again', async () => {
    const broker = new ProvingBroker({ database: new MemoryBrokerDatabase(), logger });
    await broker.start();
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
});
