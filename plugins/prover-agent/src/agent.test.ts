import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { makeProvingJob, proveWith, type ProvingJobConsumer, type ProvingJobType } from '@quetzal/protocol/proving-jobs';
import { MemoryBrokerDatabase, ProvingBroker } from '@quetzal/prover-broker';
import { RpcUnauthorizedError } from '@quetzal/kernel/jsonrpc/errors';
import { NonRetryableProvingError, ProvingAgent, type AgentLogger, type ProveFunction } from './agent.js';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const job = (type: ProvingJobType, n: number, epoch = 1) => makeProvingJob(epoch, type, new Uint8Array([n & 255, n >> 8]));

async function newBroker(jobTimeoutMs = 30_000) {
  const broker = new ProvingBroker({ database: new MemoryBrokerDatabase(), logger: silent, jobTimeoutMs, timeoutCheckIntervalMs: 10 });
  await broker.start();
  return broker;
}

function abortable(ms: number, onAbort?: () => void): ProveFunction {
  return (_type, inputs, signal) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve(Uint8Array.from(inputs, (b) => b ^ 0xff)), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        onAbort?.();
        reject(signal.reason);
      });
    });
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('ProvingAgent', () => {
  it('proves N jobs at once and reports results', async () => {
    const broker = await newBroker();
    let running = 0;
    let peak = 0;
    const prove: ProveFunction = async (_t, inputs) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(20);
      running--;
      return Uint8Array.from(inputs, (b) => b + 1);
    };
    const agent = new ProvingAgent({ consumer: broker, prove, concurrency: 4, pollIntervalMs: 5, logger: silent });
    agent.start();
    const jobs = Array.from({ length: 16 }, (_, i) => job('base', i));
    const proofs = await Promise.all(jobs.map((j) => proveWith(broker, j, { pollMs: 1000 })));
    assert.deepEqual(proofs[5], new Uint8Array([6, 1]));
    assert.equal(peak, 4);
    await agent.stop();
    assert.equal(agent.stats().proved, 16);
    await broker.stop();
  });

  it('only takes job types on its allow-list', async () => {
    const broker = await newBroker();
    const agent = new ProvingAgent({ consumer: broker, prove: abortable(1), allowList: ['merge'], pollIntervalMs: 5, logger: silent });
    agent.start();
    const m = job('merge', 1);
    const b = job('base', 2);
    await broker.enqueueProvingJob(b);
    await proveWith(broker, m, { pollMs: 1000 });
    await sleep(30);
    assert.deepEqual(await broker.getProvingJobStatus(b.id), { status: 'in-queue' });
    await agent.stop();
    await broker.stop();
  });

  it('heartbeats keep a long job past the broker timeout', async () => {
    const broker = await newBroker(60);
    const agent = new ProvingAgent({ consumer: broker, prove: abortable(250), heartbeatIntervalMs: 15, pollIntervalMs: 5, logger: silent });
    agent.start();
    const j = job('root', 1);
    assert.deepEqual(await proveWith(broker, j, { pollMs: 1000 }), new Uint8Array([0xfe, 0xff]));
    assert.equal(agent.stats().lost, 0);
    await agent.stop();
    await broker.stop();
  });

  it('abandons a job the broker cancelled', async () => {
    const broker = await newBroker();
    let aborted = 0;
    const agent = new ProvingAgent({ consumer: broker, prove: abortable(10_000, () => aborted++), heartbeatIntervalMs: 10, pollIntervalMs: 5, logger: silent });
    agent.start();
    const j = job('base', 1);
    await broker.enqueueProvingJob(j);
    await until(async () => (await broker.getProvingJobStatus(j.id)).status === 'in-progress');
    await broker.cancelProvingJob(j.id);
    await until(() => aborted === 1);
    await until(() => agent.stats().lost === 1);
    await agent.stop();
    await broker.stop();
  });

  it('reports failures: retryable ones are retried, others reject at once', async () => {
    const broker = await newBroker();
    let calls = 0;
    const prove: ProveFunction = async (type) => {
      calls++;
      if (type === 'merge') throw new NonRetryableProvingError('unsatisfiable constraints');
      if (calls < 3) throw new Error('flaky');
      return new Uint8Array([1]);
    };
    const agent = new ProvingAgent({ consumer: broker, prove, pollIntervalMs: 5, logger: silent });
    agent.start();
    assert.deepEqual(await proveWith(broker, job('base', 1), { pollMs: 1000 }), new Uint8Array([1]));
    await assert.rejects(proveWith(broker, job('merge', 1), { pollMs: 1000 }), /unsatisfiable constraints/);
    await agent.stop();
    await broker.stop();
  });

  it('survives an unreachable broker: backs off, logs once per interval, delivers the result when it returns', async () => {
    const broker = await newBroker();
    let down = true;
    let calls = 0;
    const flaky: ProvingJobConsumer = {
      getProvingJob: (f) => (calls++, down ? Promise.reject(new Error('ECONNREFUSED')) : broker.getProvingJob(f)),
      reportProvingJobProgress: (id, l) => (down ? Promise.reject(new Error('ECONNREFUSED')) : broker.reportProvingJobProgress(id, l)),
      abandonProvingJob: (id, l) => (down ? Promise.reject(new Error('ECONNREFUSED')) : broker.abandonProvingJob(id, l)),
      reportProvingJobSuccess: (id, l, r, f) => (calls++, down ? Promise.reject(new Error('ECONNREFUSED')) : broker.reportProvingJobSuccess(id, l, r, f)),
      reportProvingJobError: (id, l, r, retry, f) => (down ? Promise.reject(new Error('ECONNREFUSED')) : broker.reportProvingJobError(id, l, r, retry, f)),
    };
    const warnings: string[] = [];
    const logger: AgentLogger = { debug() {}, info() {}, error() {}, warn: (_o, msg) => void warnings.push(msg ?? '') };
    const agent = new ProvingAgent({ consumer: flaky, prove: abortable(20), pollIntervalMs: 5, backoffInitialMs: 2, backoffMaxMs: 20, logIntervalMs: 60_000, heartbeatIntervalMs: 5, logger });
    agent.start();
    await sleep(150);
    assert.ok(calls >= 5, `kept retrying (${calls} calls)`);
    assert.ok(calls < 80, `backed off (${calls} calls)`);
    assert.deepEqual(warnings, ['broker unreachable; retrying with backoff'], 'logged once in the interval');
    // up again: takes a job, then the broker goes away while it proves, and the report still lands
    down = false;
    const j = job('base', 7);
    await broker.enqueueProvingJob(j);
    await until(async () => (await broker.getProvingJobStatus(j.id)).status === 'in-progress');
    down = true;
    await sleep(60);
    assert.deepEqual(await broker.getProvingJobStatus(j.id), { status: 'in-progress' });
    down = false;
    await until(async () => (await broker.getProvingJobStatus(j.id)).status === 'fulfilled');
    assert.equal(agent.isRunning, true);
    await agent.stop();
    await broker.stop();
  });

  it('a result the broker refuses for good (too large) fails the job instead of retrying forever', async () => {
    const broker = await newBroker();
    const refusing: ProvingJobConsumer = {
      getProvingJob: (f) => broker.getProvingJob(f),
      reportProvingJobProgress: (id, l) => broker.reportProvingJobProgress(id, l),
      abandonProvingJob: (id, l) => broker.abandonProvingJob(id, l),
      reportProvingJobSuccess: () => Promise.reject(Object.assign(new Error('request body exceeds 1024 bytes'), { code: -32002 })),
      reportProvingJobError: (id, l, r, retry, f) => broker.reportProvingJobError(id, l, r, retry, f),
    };
    const agent = new ProvingAgent({ consumer: refusing, prove: abortable(1), pollIntervalMs: 5, logger: silent });
    agent.start();
    await assert.rejects(proveWith(broker, job('base', 1), { pollMs: 1000 }), /refused the result: request body exceeds 1024 bytes/);
    await agent.stop();
    await broker.stop();
  });

  it('stop() aborts in-flight work and hands the job back', async () => {
    const broker = await newBroker();
    let aborted = 0;
    const agent = new ProvingAgent({ consumer: broker, prove: abortable(60_000, () => aborted++), concurrency: 2, pollIntervalMs: 5, logger: silent });
    agent.start();
    await broker.enqueueProvingJob(job('base', 1));
    await broker.enqueueProvingJob(job('base', 2));
    await until(() => agent.stats().active === 2);
    const t0 = Date.now();
    await agent.stop();
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(aborted, 2);
    assert.equal((await broker.stats()).queued, 2, 'both jobs are back in the queue');
    assert.equal(broker.counters.retried, 0, 'giving jobs back counts no failed attempt');
    await broker.stop();
  });

  it('a refused token is reported as refused, not as an outage, and the agent is not ready until it is accepted', async () => {
    const broker = await newBroker();
    let refuse = true;
    const lines: Array<[string, string | undefined]> = [];
    const logger: AgentLogger = {
      debug: () => {},
      info: (_o, m) => lines.push(['info', m]),
      warn: (_o, m) => lines.push(['warn', m]),
      error: (_o, m) => lines.push(['error', m]),
    };
    const consumer: ProvingJobConsumer = {
      getProvingJob: (f) => (refuse ? Promise.reject(new RpcUnauthorizedError('proverBroker_getProvingJob', 'missing or wrong bearer token')) : broker.getProvingJob(f)),
      reportProvingJobProgress: (id, l) => broker.reportProvingJobProgress(id, l),
      abandonProvingJob: (id, l) => broker.abandonProvingJob(id, l),
      reportProvingJobSuccess: (id, l, r, f) => broker.reportProvingJobSuccess(id, l, r, f),
      reportProvingJobError: (id, l, r, retry, f) => broker.reportProvingJobError(id, l, r, retry, f),
    };
    const agent = new ProvingAgent({ consumer, prove: abortable(1), pollIntervalMs: 5, backoffInitialMs: 5, backoffMaxMs: 20, logger });
    agent.start();
    await until(() => lines.some(([level]) => level === 'error'));
    assert.equal(agent.isReady, false);
    assert.match(lines.find(([level]) => level === 'error')![1]!, /refused this agent's bearer token/);
    assert.ok(!lines.some(([, m]) => /unreachable/.test(m ?? '')), 'not reported as an outage');
    refuse = false;
    await until(() => agent.isReady);
    await agent.stop();
    await broker.stop();
  });
});

