import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { makeProvingJob, makeProvingJobId, parseProvingJobId, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { ProvingBroker, type ProvingBrokerOptions } from './broker.js';
import { MemoryBrokerDatabase } from './database.js';
import { LmdbBrokerDatabase } from './lmdb-database.js';
import { DirectoryProofStore } from './proof-store.js';

const logger = pino({ level: 'silent' });
const bytes = (...xs: number[]) => new Uint8Array(xs);
const job = (epoch: number, type: ProvingJobType, n: number) => makeProvingJob(epoch, type, bytes(n & 255, n >> 8));

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
    assert.equal((await broker.stats()).jobs, 0, 'GC is durable');
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
    assert.deepEqual(await broker.stats(), { jobs: 500, queued: 0, inProgress: 0, fulfilled: 500, rejected: 0 });
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

