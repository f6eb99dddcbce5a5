import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcTransportError } from '@quetzal/kernel/jsonrpc/errors';
import { DEFAULT_PROVING_SECONDS, makeProvingJob, type ProvingJobProducer, type ProvingJobStatus } from '@quetzal/protocol/proving-jobs';
import { ProvingJobTracker } from './job-tracker.js';

/** A broker double: jobs settle when the test says so; it can forget jobs and fail calls. */
function fakeBroker() {
  const jobs = new Map<string, ProvingJobStatus>();
  const calls = { enqueue: 0, wait: 0 };
  let failWaits = 0;
  const producer: ProvingJobProducer = {
    async enqueueProvingJob(job) {
      calls.enqueue++;
      if (!jobs.has(job.id)) jobs.set(job.id, { status: 'in-queue' });
      return jobs.get(job.id)!;
    },
    async getProvingJobStatus(id) {
      return jobs.get(id) ?? { status: 'not-found' };
    },
    async cancelProvingJob(id) {
      return jobs.delete(id);
    },
    async waitForProvingJobs(ids, ms) {
      calls.wait++;
      if (failWaits > 0) {
        failWaits--;
        throw new RpcTransportError('no answer from the broker');
      }
      await new Promise((r) => setTimeout(r, Math.min(ms, 20)));
      return ids.filter((id) => jobs.get(id)?.status !== 'in-queue');
    },
    async cleanupEpochsBefore() {
      return 0;
    },
    async promoteProvingJobs() {
      return 0;
    },
    async cancelSpeculativeProvingJobs() {
      return 0;
    },
    async getProvingCapacity() {
      return { agents: 0, slots: 0, provingSeconds: DEFAULT_PROVING_SECONDS, measured: [] };
    },
  };
  return { producer, jobs, calls, failNextWaits: (n: number) => (failWaits = n) };
}

test('identical jobs share one result; a forgotten job is enqueued again; transport failures are retried', async () => {
  const b = fakeBroker();
  const tracker = new ProvingJobTracker(b.producer, { pollMs: 20, retryDelayMs: 5, statusRefreshMs: 10 });
  const job = makeProvingJob(1, 'base', new Uint8Array([1]));
  const other = makeProvingJob(1, 'merge', new Uint8Array([2]));
  const [p1, p2, p3] = [tracker.prove(job), tracker.prove(job), tracker.prove(other)];
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(tracker.stats(), { queued: 2, proving: 0, done: 0, reused: 0, failed: 0, circuits: { base: { done: 0, total: 1 }, merge: { done: 0, total: 1 } } });
  b.failNextWaits(2);
  b.jobs.delete(other.id); // the broker lost it (restarted in memory)
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(b.jobs.get(other.id)?.status, 'in-queue', 'enqueued again');
  b.jobs.set(job.id, { status: 'fulfilled', value: new Uint8Array([9]) });
  b.jobs.set(other.id, { status: 'rejected', reason: 'circuit said no' });
  assert.deepEqual(await p1, new Uint8Array([9]));
  assert.deepEqual(await p2, new Uint8Array([9]));
  await assert.rejects(p3, /proving job 1:merge:[0-9a-f]{64} failed: circuit said no/);
  assert.deepEqual(tracker.stats(), { queued: 0, proving: 0, done: 1, reused: 0, failed: 1, circuits: { base: { done: 1, total: 1 }, merge: { done: 0, total: 1 } } });

  // a job the broker already finished is re-used at enqueue
  assert.deepEqual(await tracker.prove(job), new Uint8Array([9]));
  assert.equal(tracker.stats().reused, 1);
});

test('abort rejects every waiting job', async () => {
  const b = fakeBroker();
  const ac = new AbortController();
  const tracker = new ProvingJobTracker(b.producer, { pollMs: 20, signal: ac.signal });
  const p = tracker.prove(makeProvingJob(1, 'base', new Uint8Array([3])));
  await new Promise((r) => setTimeout(r, 10));
  ac.abort(new Error('job stopped'));
  await assert.rejects(p, /job stopped/);
});

test('cancel removes the jobs from the broker and rejects their waiters, also while the enqueue is under way', async () => {
  const b = fakeBroker();
  const tracker = new ProvingJobTracker(b.producer, { pollMs: 20 });
  const queued = makeProvingJob(2, 'base', new Uint8Array([4]));
  const kept = makeProvingJob(2, 'base', new Uint8Array([5]));
  const p = tracker.prove(queued);
  const k = tracker.prove(kept);
  await new Promise((r) => setTimeout(r, 10));
  await tracker.cancel([queued.id], new Error('block 7 left the chain'));
  await assert.rejects(p, /block 7 left the chain/);
  assert.equal(b.jobs.has(queued.id), false, 'gone from the broker');
  assert.equal(b.jobs.get(kept.id)?.status, 'in-queue', 'the other job stays');

  // cancelled before the broker answered the enqueue: removed once it does
  const late = makeProvingJob(2, 'merge', new Uint8Array([6]));
  const l = tracker.prove(late);
  const cancelling = tracker.cancel([late.id], new Error('gone'));
  await assert.rejects(l, /was cancelled/);
  await cancelling;
  assert.equal(b.jobs.has(late.id), false);

  // proving it again later is a new request
  const again = tracker.prove(late);
  await new Promise((r) => setTimeout(r, 10));
  b.jobs.set(late.id, { status: 'fulfilled', value: new Uint8Array([7]) });
  assert.deepEqual(await again, new Uint8Array([7]));
  b.jobs.set(kept.id, { status: 'fulfilled', value: new Uint8Array([8]) });
  await k;
});

test('a broker that answers every wait at once with nothing does not starve the event loop', async () => {
  const b = fakeBroker();
  // as a stopped in-process broker answers: immediately, no job done
  b.producer.waitForProvingJobs = async () => [];
  const ac = new AbortController();
  const tracker = new ProvingJobTracker(b.producer, { pollMs: 5000, retryDelayMs: 5, signal: ac.signal });
  const proving = tracker.prove(makeProvingJob(1, 'base', new Uint8Array([1])));
  proving.catch(() => undefined);
  // a timer still fires while the job is pending (a starved loop would never get here), and aborts it
  await new Promise((r) => setTimeout(r, 50));
  ac.abort(new Error('stopping'));
  await assert.rejects(proving, /stopping/);
});
