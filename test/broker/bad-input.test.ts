// Bad requests against a real broker process: every one gets a JSON-RPC error with a clear
// message, and the broker keeps serving (a bounded fuzz run, then a valid job still completes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import { makeProvingJob, proveWith, PROVING_JOB_TYPES } from '@quetzal/protocol/proving-jobs';
import { ProvingAgent } from '@quetzal/prover-agent';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { startBroker, type Child } from './helpers.js';

const TOKEN = 'fuzz-token-456';
const MAX_BODY = 256 * 1024;
let broker: Child;
let url: string;

before(async () => {
  ({ child: broker, url } = await startBroker({ AUTH_TOKEN: TOKEN, MAX_BODY_BYTES: String(MAX_BODY) }));
});
after(async () => {
  await broker?.kill9();
});

async function post(body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
const call = (method: string, params: unknown, id: unknown = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('broker JSON-RPC rejects bad input', () => {
  it('missing or wrong token', async () => {
    const variants: Array<Record<string, string>> = [{}, { authorization: 'Bearer nope' }, { authorization: TOKEN }];
    for (const headers of variants) {
      const r = await post(call('proverBroker_getProvingJob', [{}]), headers);
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, -32001);
      assert.match(r.json.error.message, /bearer token/);
    }
  });

  it('malformed JSON, unknown methods, wrong types', async () => {
    let r = await post('{"jsonrpc": "2.0", "method": ');
    assert.equal(r.json.error.code, -32700);
    assert.match(r.json.error.message, /not valid JSON/);
    r = await post(call('proverBroker_stealAllJobs', []));
    assert.equal(r.json.error.code, -32601);
    assert.match(r.json.error.message, /unknown method "proverBroker_stealAllJobs"/);
    r = await post(call('proverBroker_enqueueProvingJob', [{ id: 5, type: 'tx', epoch: 'one', inputs: 'zz' }]));
    assert.equal(r.json.error.code, -32602);
    assert.match(r.json.error.message, /invalid params for proverBroker_enqueueProvingJob: params\[0\]\.id/);
    r = await post(call('proverBroker_reportProvingJobSuccess', ['1:base:' + '0'.repeat(64), 'lease', '0x123']));
    assert.equal(r.json.error.code, -32602);
    assert.match(r.json.error.message, /hex bytes/);
    r = await post(JSON.stringify({ jsonrpc: '1.0', id: 3, method: 'proverBroker_getProvingJob' }));
    assert.equal(r.json.error.code, -32600);
  });

  it('a job whose id does not match its inputs gets an application error', async () => {
    const job = makeProvingJob(1, 'base', new Uint8Array([1]));
    const r = await post(call('proverBroker_enqueueProvingJob', [{ ...job, inputs: '0x02' }]));
    assert.equal(r.json.error.code, -32010);
    assert.match(r.json.error.message, /not the sha256 of its inputs/);
  });

  it('oversized bodies', async () => {
    const big = new Uint8Array(MAX_BODY);
    const job = makeProvingJob(1, 'base', big);
    const r = await post(call('proverBroker_enqueueProvingJob', [{ ...job, inputs: '0x' + Buffer.from(big).toString('hex') }]));
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, -32002);
    assert.match(r.json.error.message, /exceeds 262144 bytes/);
  });

  it('survives a few thousand random requests, then still completes a valid job', async () => {
    const methods = ['enqueueProvingJob', 'getProvingJobStatus', 'cancelProvingJob', 'waitForProvingJobs', 'cleanupEpochsBefore', 'getProvingJob', 'reportProvingJobProgress', 'abandonProvingJob', 'reportProvingJobSuccess', 'reportProvingJobError'].map((m) => `proverBroker_${m}`);
    const hex = fc.uint8Array({ maxLength: 64 }).map((b) => '0x' + Buffer.from(b).toString('hex'));
    const param = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      hex,
      fc.constantFrom(...PROVING_JOB_TYPES).map((t) => `1:${t}:${'ab'.repeat(32)}`),
      fc.record({ id: fc.string(), type: fc.constantFrom(...PROVING_JOB_TYPES, 'tx'), epoch: fc.oneof(fc.integer(), fc.double()), inputs: hex }, { requiredKeys: [] }),
      fc.record({ allowList: fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }) }),
    );
    const request = fc.oneof(
      fc.record({ jsonrpc: fc.constant('2.0'), id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), method: fc.constantFrom(...methods), params: fc.array(param, { maxLength: 5 }) }).map((r) => JSON.stringify(r)),
      fc.array(fc.record({ jsonrpc: fc.constant('2.0'), id: fc.integer(), method: fc.constantFrom(...methods), params: fc.array(param, { maxLength: 3 }) }), { maxLength: 5 }).map((r) => JSON.stringify(r)),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    const bodies = fc.sample(request, { numRuns: 3000, seed: 42 });
    const deadline = Date.now() + 60_000;
    let next = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < bodies.length && Date.now() < deadline) {
          const body = bodies[next++]!;
          const r = await post(body);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          assert.ok([200, 204, 400, 413].includes(r.status), `status ${r.status} for ${body.slice(0, 200)}`);
          if (r.status === 200) {
            const replies = Array.isArray(r.json) ? r.json : [r.json];
            for (const reply of replies) {
              assert.equal(reply.jsonrpc, '2.0');
              assert.ok('result' in reply || (typeof reply.error?.code === 'number' && typeof reply.error.message === 'string'), JSON.stringify(reply));
              if (reply.error) assert.notEqual(reply.error.code, -32603, `internal error for ${body.slice(0, 300)}: ${reply.error.message}`);
            }
          }
        }
      }),
    );
    assert.ok(next >= 2000, `sent ${next} requests`);
    assert.equal(broker.proc.exitCode, null, 'the broker is still running');

    const client = new ProvingBrokerClient(url, { authToken: TOKEN });
    // fuzzed enqueues may have left jobs behind: clear them so the valid job is served promptly
    const agent = new ProvingAgent({ consumer: client, prove: async (_t, inputs) => inputs.slice().reverse(), pollIntervalMs: 10, logger: pino({ level: 'silent' }) });
    agent.start();
    const job = makeProvingJob(0, 'root', new Uint8Array([1, 2, 3]));
    assert.deepEqual(await proveWith(client, job, { pollMs: 1000 }), new Uint8Array([3, 2, 1]));
    await agent.stop();
  });
});
