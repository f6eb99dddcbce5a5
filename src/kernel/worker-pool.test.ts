import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerPool, WorkerCrashedError } from './worker-pool.js';
import { silentLogger } from './testing.js';
import { RUNTIME } from './runtime.js';
import type { TestWorkerApi } from './fixtures/test-worker.js';

const module = new URL('./fixtures/test-worker.ts', import.meta.url);
const newPool = (size: number) => new WorkerPool<TestWorkerApi>({ module, size, name: 'test', logger: silentLogger() });

// The same file runs under Node (`npm test`) and Deno (`npm run test:deno`, through `deno test`).
describe(`WorkerPool (${RUNTIME})`, () => {
  test(`starts ${RUNTIME === 'deno' ? 'web Workers' : 'worker_threads workers'} under ${RUNTIME}`, async () => {
    const pool = newPool(1);
    try {
      assert.equal(await pool.run((w) => w.scope()), RUNTIME === 'deno' ? 'web' : 'node');
    } finally {
      await pool.close();
    }
  });

  test('runs calls on workers and queues beyond the pool size', async () => {
    const pool = newPool(2);
    try {
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.run((w) => w.add(i, 1))));
      assert.deepEqual(results, [1, 2, 3, 4, 5, 6]);
    } finally {
      await pool.close();
    }
  });

  test('a worker that dies mid-call fails that call clearly, and the pool keeps serving', async () => {
    const pool = newPool(1);
    try {
      await assert.rejects(pool.run((w) => w.crash()), (e: unknown) => e instanceof WorkerCrashedError && /worker test#0 crashed: worker blew up/.test(e.message));
      assert.equal(await pool.run((w) => w.add(2, 3)), 5);
    } finally {
      await pool.close();
    }
  });

  test('a worker that exits mid-call fails that call with its exit code, and is replaced', async () => {
    const pool = newPool(1);
    try {
      await assert.rejects(pool.run((w) => w.exit(7)), (e: unknown) => e instanceof WorkerCrashedError && /worker test#0 exited with code 7 during the call/.test(e.message));
      assert.equal(await pool.run((w) => w.add(2, 3)), 5);
      await assert.rejects(pool.run((w) => w.crash()), /worker test#1 crashed: worker blew up/);
      assert.equal(await pool.run((w) => w.add(3, 3)), 6);
    } finally {
      await pool.close();
    }
  });

  test('aborting a CPU-bound call terminates its worker and frees the slot', async () => {
    const pool = newPool(1);
    try {
      const controller = new AbortController();
      const spinning = pool.run((w) => w.spin(), { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('cancelled by test')), 200);
      await assert.rejects(spinning, /cancelled by test/);
      assert.equal(await pool.run((w) => w.add(1, 1)), 2);
    } finally {
      await pool.close();
    }
  });

  test('a queued call can be aborted before it starts', async () => {
    const pool = newPool(1);
    try {
      const blocker = new AbortController();
      const first = pool.run((w) => w.spin(), { signal: blocker.signal });
      const queued = new AbortController();
      const second = pool.run((w) => w.add(1, 2), { signal: queued.signal });
      queued.abort(new Error('no longer needed'));
      await assert.rejects(second, /no longer needed/);
      blocker.abort(new Error('stop'));
      await assert.rejects(first, /stop/);
      assert.equal(await pool.run((w) => w.add(4, 4)), 8);
    } finally {
      await pool.close();
    }
  });
});
