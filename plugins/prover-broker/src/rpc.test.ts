import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import { makeProvingJob, proveWith } from '@quetzal/protocol/proving-jobs';
import { ProvingBroker } from './broker.js';
import { MemoryBrokerDatabase } from './database.js';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { registerProvingBrokerRpc } from './rpc.js';

const logger = pino({ level: 'silent' });
const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(maxBodyBytes: number, authToken?: string) {
  const broker = new ProvingBroker({ database: new MemoryBrokerDatabase(), logger });
  await broker.start();
  const rpc = new JsonRpcServer({ maxBodyBytes, logger });
  registerProvingBrokerRpc(rpc, broker, { authToken });
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    void rpc.handleHttp(req, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { broker, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('ProvingBrokerClient', () => {
  it('round-trips every method and batches concurrent calls into few HTTP requests', async () => {
    const { broker, url, requests } = await serve(1024 * 1024, 'tok');
    const client = new ProvingBrokerClient(url, { authToken: 'tok' });
    const jobs = Array.from({ length: 50 }, (_, i) => makeProvingJob(2, 'merge', new Uint8Array([i, 1, 2])));
    const statuses = await Promise.all(jobs.map((j) => client.enqueueProvingJob(j)));
    assert.ok(statuses.every((s) => s.status === 'in-queue'));
    assert.ok(requests() <= 3, `50 concurrent enqueues took ${requests()} HTTP requests`);
    const lease = await client.getProvingJob({ allowList: ['merge'], agentId: 'x' });
    assert.ok(lease);
    assert.deepEqual(lease.job.inputs, new Uint8Array([0, 1, 2]));
    assert.equal(await client.reportProvingJobProgress(lease.job.id, lease.lease), true);
    const out = await client.reportProvingJobSuccess(lease.job.id, lease.lease, new Uint8Array([9, 9]), {});
    assert.equal(out.accepted, true);
    assert.ok(out.next);
    assert.deepEqual(await client.reportProvingJobError(out.next.job.id, out.next.lease, 'nope', false), { accepted: true });
    assert.deepEqual(await client.getProvingJobStatus(lease.job.id), { status: 'fulfilled', value: new Uint8Array([9, 9]) });
    assert.deepEqual(await client.getProvingJobStatus(out.next.job.id), { status: 'rejected', reason: 'nope' });
    assert.deepEqual(await client.waitForProvingJobs([lease.job.id, jobs[5]!.id], 10), [lease.job.id]);
    assert.equal(await client.cancelProvingJob(jobs[5]!.id), true);
    assert.equal(await client.cleanupEpochsBefore(3), 49);
    assert.equal(await client.getProvingJob({}), undefined);
    await assert.rejects(client.enqueueProvingJob({ ...jobs[0]!, inputs: new Uint8Array([7]) }), /not the sha256 of its inputs/);
    const stranger = new ProvingBrokerClient(url, { retries: 0 });
    await assert.rejects(stranger.getProvingJob({}), /bearer token/);
    client.close();
    await broker.stop();
  });

  it('reaches the broker over IPv6 and refuses URLs that are not http(s)', async () => {
    const { broker, url } = await serve(1024 * 1024);
    const port = new URL(url).port;
    // the test server listens on 127.0.0.1 only; a client given [::1] must at least parse and try it
    const v6 = new ProvingBrokerClient(`http://[::1]:${port}`, { retries: 0, timeoutMs: 2000 });
    await assert.rejects(v6.getProvingJobStatus('1:base:' + '0'.repeat(64)), (err: Error) => !/Invalid URL|ENOTFOUND/.test(err.message));
    v6.close();
    assert.throws(() => new ProvingBrokerClient('ftp://127.0.0.1:1'), /use http:\/\/ or https:\/\//);
    await broker.stop();
  });

  it('falls back to one request per call when a batch is over the body limit', async () => {
    const { broker, url } = await serve(8 * 1024);
    const client = new ProvingBrokerClient(url);
    const jobs = Array.from({ length: 10 }, (_, i) => makeProvingJob(1, 'base', new Uint8Array(1500).fill(i)));
    const statuses = await Promise.all(jobs.map((j) => client.enqueueProvingJob(j)));
    assert.ok(statuses.every((s) => s.status === 'in-queue'));
    const tooBig = makeProvingJob(1, 'base', new Uint8Array(8000));
    await assert.rejects(client.enqueueProvingJob(tooBig), /exceeds 8192 bytes/);
    client.close();
    await broker.stop();
  });

  it('a long poll does not hold back other calls', async () => {
    const { broker, url } = await serve(1024 * 1024);
    const client = new ProvingBrokerClient(url);
    const j = makeProvingJob(1, 'root', new Uint8Array([1]));
    const proving = proveWith(client, j, { pollMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const lease = (await client.getProvingJob({}))!;
    await client.reportProvingJobSuccess(j.id, lease.lease, new Uint8Array([2]));
    assert.ok(Date.now() - t0 < 1000);
    assert.deepEqual(await proving, new Uint8Array([2]));
    client.close();
    await broker.stop();
  });
});

describe('in-process and remote brokers are interchangeable', () => {
  async function scenario(producer: import('@quetzal/protocol/proving-jobs').ProvingJobProducer, consumer: import('@quetzal/protocol/proving-jobs').ProvingJobConsumer) {
    const { ProvingAgent } = await import('@quetzal/prover-agent');
    const agent = new ProvingAgent({ consumer, prove: async (type, inputs) => new TextEncoder().encode(`${type}:${inputs.join(',')}`), concurrency: 3, pollIntervalMs: 5, logger });
    agent.start();
    const jobs = [makeProvingJob(1, 'base', new Uint8Array([1])), makeProvingJob(1, 'merge', new Uint8Array([2])), makeProvingJob(2, 'root', new Uint8Array([3]))];
    const proofs = await Promise.all(jobs.map((j) => proveWith(producer, j, { pollMs: 1000 })));
    const again = await producer.enqueueProvingJob(jobs[1]!);
    await agent.stop();
    return { proofs: proofs.map((p) => new TextDecoder().decode(p)), again };
  }

  it('the same producer and agent code gets the same answers', async () => {
    const local = new ProvingBroker({ database: new MemoryBrokerDatabase(), logger });
    await local.start();
    const direct = await scenario(local, local);
    await local.stop();
    const { broker, url } = await serve(1024 * 1024);
    const client = new ProvingBrokerClient(url);
    const remote = await scenario(client, client);
    client.close();
    await broker.stop();
    assert.deepEqual(direct.proofs, ['base:1', 'merge:2', 'root:3']);
    assert.deepEqual(remote, direct);
  });
});
