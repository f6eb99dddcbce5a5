// Random sequences of producer, agent, clock and restart actions against an LMDB-backed broker,
// checking invariants after every step.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import { compareProvingJobPriority, makeProvingJob, remainingPathSeconds, type ProvingJob, type ProvingJobLease, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { ProvingBroker } from './broker.js';
import { LmdbBrokerDatabase } from './lmdb-database.js';
import { DirectoryProofStore } from './proof-store.js';

const logger = pino({ level: 'silent' });
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

async function runScenario(actions: Action[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quetzal-broker-prop-'));
  let now = 0;
  const open = async () => {
    const b = new ProvingBroker({
      database: new LmdbBrokerDatabase({ path: join(dir, 'db') }),
      proofStore: new DirectoryProofStore({ directory: join(dir, 'proofs'), inlineThresholdBytes: 32 }),
      logger,
      jobTimeoutMs: TIMEOUT,
      timeoutCheckIntervalMs: 1_000_000, // driven by the test
      maxAttempts: 3,
      now: () => now,
    });
    await b.start();
    return b;
  };
  let broker = await open();
  const check = () => (broker as unknown as { checkTimeouts(): void }).checkTimeouts();

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
            if (!bestKey || compareProvingJobPriority(key, bestKey) < 0) (best = j), (bestKey = key);
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
          check();
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
          const before = new Map<string, string>();
          for (const id of known.keys()) before.set(id, (await status(id)).status);
          await broker.stop();
          broker = await open();
          for (const [id, s] of before) {
            const after = (await status(id)).status;
            if (s === 'fulfilled' || s === 'rejected') assert.equal(after, s, 'settled jobs survive a restart');
            else assert.equal(after, 'in-queue', 'unfinished jobs are queued again');
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
    await rm(dir, { recursive: true, force: true });
  }
}

describe('ProvingBroker properties', () => {
  it('holds its invariants over random action sequences, across restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 60 }), (actions) => runScenario(actions)),
      { numRuns: 60, seed: 7 },
    );
  });
});
