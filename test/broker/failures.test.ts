// Failure behaviour of the broker and agents, with real processes killed by SIGKILL.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeProvingJob, proveWith, type ProvingJob } from '@quetzal/protocol/proving-jobs';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { freePort, spawnFixture, startBroker, until, type Child } from './helpers.js';

const TOKEN = 'test-token-123';
const children: Child[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) await c.kill9();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const track = (c: Child) => (children.push(c), c);
const expectedProof = (job: ProvingJob) => new Uint8Array(createHash('sha256').update('proof').update(job.inputs).digest());
const agentKey = (job: ProvingJob) => `${job.type}:${job.id.split(':')[2]}`;
const jobsOf = (epoch: number, n: number, tag: string) => Array.from({ length: n }, (_, i) => makeProvingJob(epoch, 'base', new TextEncoder().encode(`${tag}-${i}`)));

describe('broker and agents across process failures', () => {
  it('kill -9 an agent mid-job: another agent proves it after the timeout', async () => {
    const { child: broker, url } = await startBroker({ AUTH_TOKEN: TOKEN, JOB_TIMEOUT_MS: '600' });
    track(broker);
    const client = new ProvingBrokerClient(url, { authToken: TOKEN });
    const [job] = jobsOf(1, 1, 'kill-agent');
    const a = track(spawnFixture('agent', { BROKER_URL: url, AUTH_TOKEN: TOKEN, PROVE_MS: '60000', AGENT_ID: 'a' }));
    await client.enqueueProvingJob(job!);
    await a.waitFor((e) => e.event === 'proving' && e.id === agentKey(job!));
    await a.kill9();
    const killedAt = Date.now();
    assert.deepEqual(await client.getProvingJobStatus(job!.id), { status: 'in-progress' });
    const b = track(spawnFixture('agent', { BROKER_URL: url, AUTH_TOKEN: TOKEN, PROVE_MS: '20', AGENT_ID: 'b' }));
    const proof = await proveWith(client, job!, { pollMs: 1000 });
    assert.deepEqual(proof, expectedProof(job!));
    assert.ok(Date.now() - killedAt >= 500, 'only after the job timed out');
    await b.waitFor((e) => e.event === 'proved' && e.id === agentKey(job!));
    await b.stop();
    await broker.stop();
  });

  it('an agent frozen past the timeout loses its job: its late report is ignored', async () => {
    const { child: broker, url } = await startBroker({ AUTH_TOKEN: TOKEN, JOB_TIMEOUT_MS: '400' });
    track(broker);
    const client = new ProvingBrokerClient(url, { authToken: TOKEN });
    const [job] = jobsOf(1, 1, 'frozen-agent');
    const a = track(spawnFixture('agent', { BROKER_URL: url, AUTH_TOKEN: TOKEN, PROVE_MS: '1200', AGENT_ID: 'a', PROOF_TAG: 'stale' }));
    await client.enqueueProvingJob(job!);
    await a.waitFor((e) => e.event === 'proving');
    a.proc.kill('SIGSTOP');
    const b = track(spawnFixture('agent', { BROKER_URL: url, AUTH_TOKEN: TOKEN, PROVE_MS: '20', AGENT_ID: 'b' }));
    const proof = await proveWith(client, job!, { pollMs: 1000 });
    assert.deepEqual(proof, expectedProof(job!), "b's proof");
    await b.stop();
    a.proc.kill('SIGCONT');
    // a wakes up: its proving timer and heartbeat fire; whatever it reports is too late
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await client.getProvingJobStatus(job!.id), { status: 'fulfilled', value: expectedProof(job!) });
    assert.equal(a.proc.exitCode, null, 'the stale agent keeps running');
    await a.stop();
    await broker.stop();
  });

  it('kill -9 the broker with jobs queued, in progress and finished: nothing finished is lost, the rest completes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quetzal-broker-kill-'));
    dirs.push(dir);
    const port = String(await freePort());
    const env = { DATA_DIR: dir, PORT: port, AUTH_TOKEN: TOKEN, JOB_TIMEOUT_MS: '2000' };
    const started = await startBroker(env);
    let broker = started.child;
    const url = started.url;
    track(broker);
    const client = new ProvingBrokerClient(url, { authToken: TOKEN, retries: 0, timeoutMs: 2000 });
    // some large payloads, so the directory store is exercised too
    const jobs = [...jobsOf(1, 10, 'kill-broker'), makeProvingJob(1, 'merge', new Uint8Array(100_000).fill(3))];
    for (const j of jobs) await client.enqueueProvingJob(j);
    const agent = track(spawnFixture('agent', { BROKER_URL: url, AUTH_TOKEN: TOKEN, PROVE_MS: '250', CONCURRENCY: '2', HEARTBEAT_MS: '50' }));
    const finished = new Map<string, Uint8Array>();
    await until(async () => {
      for (const j of jobs) {
        const s = await client.getProvingJobStatus(j.id);
        if (s.status === 'fulfilled') finished.set(j.id, s.value);
      }
      return finished.size >= 3;
    }, 20_000, 'three finished jobs');
    const statuses = await Promise.all(jobs.map((j) => client.getProvingJobStatus(j.id)));
    assert.ok(statuses.some((s) => s.status === 'in-progress'), 'some in progress');
    assert.ok(statuses.some((s) => s.status === 'in-queue'), 'some queued');
    for (const j of jobs) {
      const s = statuses[jobs.indexOf(j)]!;
      if (s.status === 'fulfilled') finished.set(j.id, s.value);
    }

    await broker.kill9();
    ({ child: broker } = await startBroker(env)); // same port (env): the url stays
    track(broker);
    for (const [id, proof] of finished) assert.deepEqual(await client.getProvingJobStatus(id), { status: 'fulfilled', value: proof }, `finished job ${id} survived`);
    // the agent reconnects by itself; every job completes with the right proof
    const proofs = await Promise.all(jobs.map((j) => proveWith(client, j, { pollMs: 2000 })));
    proofs.forEach((p, i) => assert.deepEqual(p, expectedProof(jobs[i]!)));
    assert.equal(agent.proc.exitCode, null, 'the agent never crashed');
    await agent.stop();
    await broker.stop();
  });

  it('a producer that restarts and re-enqueues gets finished results back without re-proving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quetzal-broker-producer-'));
    dirs.push(dir);
    const { child: broker, url } = await startBroker({ DATA_DIR: dir, AUTH_TOKEN: TOKEN });
    track(broker);
    const agent = track(spawnFixture('agent', { BROKER_URL: url, AUTH_TOKEN: TOKEN, PROVE_MS: '80' }));
    const env = { BROKER_URL: url, AUTH_TOKEN: TOKEN, COUNT: '8', EPOCH: '5' };
    const first = track(spawnFixture('producer', env));
    await until(() => first.events.filter((e) => e.event === 'result').length >= 3, 20_000, 'three results');
    await first.kill9();
    const before = new Map(first.events.filter((e) => e.event === 'result').map((e) => [e.id as string, e.proof as string]));
    const second = track(spawnFixture('producer', env));
    await second.waitFor((e) => e.event === 'done');
    const results = second.events.filter((e) => e.event === 'result');
    assert.equal(results.length, 8);
    for (const r of results) if (before.has(r.id as string)) assert.equal(r.proof, before.get(r.id as string));
    const proved = agent.events.filter((e) => e.event === 'proved').map((e) => e.id as string);
    assert.equal(proved.length, 8, 'each job proved exactly once');
    assert.equal(new Set(proved).size, 8);
    await agent.stop();
    await broker.stop();
  });
});
