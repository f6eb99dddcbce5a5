import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { JsonRpcServer } from './server.js';
import { createJsonRpcClient } from './client.js';
import { zBytes, zUint } from './codec.js';
import { RpcError, RpcErrorCode, RpcRemoteError, RpcTransportError, RpcUnauthorizedError } from './errors.js';
import { silentLogger } from '../testing.js';
import { LargeBodyGate, ServerBusy } from './body.js';

const schemas = {
  add: { params: z.tuple([zUint, zUint]), result: zUint },
  echoBytes: { params: z.tuple([zBytes]), result: zBytes },
  job: { params: z.tuple([z.object({ epoch: z.number().int(), type: z.string() })]), result: z.string() },
  fail: { params: z.tuple([]), result: z.null() },
  crash: { params: z.tuple([]), result: z.null() },
};

const handlers = {
  add: (a: bigint, b: bigint) => a + b,
  echoBytes: (b: Uint8Array) => b,
  job: (j: { epoch: number; type: string }) => `${j.epoch}:${j.type}`,
  fail: (): null => {
    throw new RpcError(RpcErrorCode.ApplicationError, 'job 7 not found');
  },
  crash: (): null => {
    throw new TypeError('boom');
  },
};

async function serve(rpc: JsonRpcServer): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => void rpc.handleHttp(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

describe('JSON-RPC server and client', () => {
  let server: Server;
  let url: string;
  before(async () => {
    const rpc = new JsonRpcServer({ maxBodyBytes: 1024, logger: silentLogger() });
    rpc.register('test', schemas, handlers);
    ({ server, url } = await serve(rpc));
  });
  after(() => server.close());

  test('typed client round-trips bigints, bytes and objects', async () => {
    const client = createJsonRpcClient(url, 'test', schemas);
    assert.equal(await client.add(2n ** 200n, 1n), 2n ** 200n + 1n);
    assert.deepEqual(await client.echoBytes(new Uint8Array([1, 2, 255])), new Uint8Array([1, 2, 255]));
    assert.equal(await client.job({ epoch: 3, type: 'base' }), '3:base');
  });

  test('application errors reach the caller with their code and message', async () => {
    const client = createJsonRpcClient(url, 'test', schemas);
    await assert.rejects(client.fail(), (e: unknown) => e instanceof RpcRemoteError && e.code === RpcErrorCode.ApplicationError && /job 7 not found/.test(e.message));
    // an internal error's raw message stays in the server's log; the caller gets a reference to it
    await assert.rejects(client.crash(), (e: unknown) => e instanceof RpcRemoteError && e.code === RpcErrorCode.InternalError && /internal error \(logged by the server as ref [0-9a-f]{8}\)/.test(e.message) && !/boom/.test(e.message));
  });

  test('invalid params name the field', async () => {
    const r = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_job', params: [{ epoch: 'x', type: 'base' }] }));
    assert.equal(r.body.error.code, RpcErrorCode.InvalidParams);
    assert.match(r.body.error.message, /params\[0\]\.epoch/);
  });

  test('malformed JSON, bad envelopes and unknown methods get JSON-RPC errors', async () => {
    assert.equal((await post(url, '{"jsonrpc":')).body.error.code, RpcErrorCode.ParseError);
    assert.equal((await post(url, JSON.stringify({ id: 1, method: 'test_add' }))).body.error.code, RpcErrorCode.InvalidRequest);
    const unknown = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'test_nope', params: [] }));
    assert.equal(unknown.body.error.code, RpcErrorCode.MethodNotFound);
    assert.match(unknown.body.error.message, /test_nope/);
  });

  test('batches answer every call, and notifications get no answer', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'test_add', params: ['0x1', '0x2'] },
      { jsonrpc: '2.0', method: 'test_add', params: ['0x1', '0x2'] },
      { jsonrpc: '2.0', id: 3, method: 'test_missing', params: [] },
    ];
    const r = await post(url, JSON.stringify(batch));
    assert.equal(r.body.length, 2);
    assert.equal(r.body[0].result, '0x3');
    assert.equal(r.body[1].error.code, RpcErrorCode.MethodNotFound);
    const note = await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'test_add', params: ['0x1', '0x2'] }));
    assert.equal(note.status, 204);
  });

  test('oversized bodies are refused with 413', async () => {
    const r = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_echoBytes', params: ['0x' + 'ab'.repeat(2000)] }));
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, RpcErrorCode.PayloadTooLarge);
  });
});

describe('JSON-RPC auth and transport', () => {
  test('a missing or wrong bearer token is refused; the right one passes', async () => {
    const rpc = new JsonRpcServer({ maxBodyBytes: 1024, authToken: 'correct-horse-battery', logger: silentLogger() });
    rpc.register('test', schemas, handlers);
    const { server, url } = await serve(rpc);
    try {
      await assert.rejects(createJsonRpcClient(url, 'test', schemas).add(1n, 1n), (e: unknown) => e instanceof RpcUnauthorizedError && e.code === RpcErrorCode.Unauthorized);
      await assert.rejects(createJsonRpcClient(url, 'test', schemas, { authToken: 'wrong-token-here' }).add(1n, 1n), RpcRemoteError);
      assert.equal(await createJsonRpcClient(url, 'test', schemas, { authToken: 'correct-horse-battery' }).add(1n, 1n), 2n);
    } finally {
      server.close();
    }
  });

  test('an unreachable server fails after the retries with a transport error', async () => {
    const client = createJsonRpcClient('http://127.0.0.1:1', 'test', schemas, { retries: 2, retryDelayMs: 10 });
    await assert.rejects(client.add(1n, 1n), (e: unknown) => e instanceof RpcTransportError && /after 3 attempt/.test(e.message));
  });

  test('a slow server times out instead of hanging', async () => {
    const server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const client = createJsonRpcClient(url, 'test', schemas, { timeoutMs: 100, retries: 0 });
      await assert.rejects(client.add(1n, 1n), RpcTransportError);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('JSON-RPC per-namespace tokens', () => {
  test('a namespace with its own token refuses other callers while open namespaces answer anyone', async () => {
    const rpc = new JsonRpcServer({ maxBodyBytes: 1024, logger: silentLogger() });
    rpc.register('locked', schemas, handlers, { authToken: 'namespace-token-1' });
    rpc.register('open', schemas, handlers);
    const { server, url } = await serve(rpc);
    try {
      assert.equal(await createJsonRpcClient(url, 'open', schemas).add(1n, 2n), 3n);
      await assert.rejects(createJsonRpcClient(url, 'locked', schemas).add(1n, 2n), (e: unknown) => e instanceof RpcRemoteError && e.code === RpcErrorCode.Unauthorized);
      assert.equal(await createJsonRpcClient(url, 'locked', schemas, { authToken: 'namespace-token-1' }).add(1n, 2n), 3n);
    } finally {
      server.close();
    }
  });
});

describe('JSON-RPC hardening', () => {
  const MiB = 1024 * 1024;

  async function withServer(options: Partial<ConstructorParameters<typeof JsonRpcServer>[0]>, body: (url: string, rpc: JsonRpcServer) => Promise<void>, register = (rpc: JsonRpcServer) => rpc.register('test', schemas, handlers)) {
    const rpc = new JsonRpcServer({ maxBodyBytes: 64 * MiB, logger: silentLogger(), ...options });
    register(rpc);
    const { server, url } = await serve(rpc);
    try {
      await body(url, rpc);
    } finally {
      server.closeAllConnections();
      server.close();
      await rpc.close();
    }
  }

  test('the bearer scheme is case-insensitive', async () => {
    await withServer({ authToken: 'correct-horse-battery' }, async (url) => {
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        const r = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_add', params: ['0x1', '0x1'] }), { authorization: `${scheme} correct-horse-battery` });
        assert.equal(r.body.result, '0x2', scheme);
      }
    });
  });

  test('a wrong token is refused before the body is read, and counted', async () => {
    const metrics = new Registry();
    await withServer({ metrics }, async (url) => {
      // the request announces 50 MB but sends none of it: only a refusal before reading can answer
      const { hostname, port } = new URL(url);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ hostname, port, method: 'POST', headers: { authorization: 'Bearer not-the-token', 'content-length': 50 * MiB } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.flushHeaders();
      });
      assert.equal(status, 401);
      const refused = await metrics.getSingleMetricAsString('quetzal_jsonrpc_refused_total');
      assert.match(refused, /reason="wrong token"\} 1/);
    }, (rpc) => rpc.register('test', schemas, handlers, { authToken: 'namespace-token-1' }));
  });

  test('a caller without a token may not send a large body when a namespace is protected', async () => {
    await withServer({}, async (url) => {
      const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'open_echoBytes', params: ['0x' + 'ab'.repeat(MiB)] });
      const anonymous = await post(url, big);
      assert.equal(anonymous.status, 413);
      assert.match(anonymous.body.error.message, /without a bearer token/);
      const withToken = await post(url, big, { authorization: 'Bearer namespace-token-1' });
      assert.equal(withToken.body.result.length, 2 + 2 * MiB);
    }, (rpc) => {
      rpc.register('locked', schemas, handlers, { authToken: 'namespace-token-1' });
      rpc.register('open', schemas, handlers);
    });
  });

  test('a large body is parsed off the main thread and its bytes decoded', async () => {
    await withServer({}, async (url) => {
      const client = createJsonRpcClient(url, 'test', schemas);
      const bytes = new Uint8Array(3 * MiB).map((_, i) => i % 251);
      assert.deepEqual(await client.echoBytes(bytes), bytes);
      // a large body that is not JSON is a parse error, not a crash
      const junk = await post(url, '{"jsonrpc":"2.0",' + ' '.repeat(2 * MiB));
      assert.equal(junk.body.error.code, RpcErrorCode.ParseError);
      // a long string that is not hex is refused in the worker, named, and never copied back
      const long = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_echoBytes', params: [{ note: 'z'.repeat(2 * MiB) }] }));
      assert.equal(long.body.error.code, RpcErrorCode.InvalidRequest);
      assert.match(long.body.error.message, /params\[0\]\.note: a string of 2097152 characters that is not 0x-prefixed hex/);
      assert.ok(JSON.stringify(long.body).length < 1000);
    });
  });

  test('errors quote at most a short prefix of the input', async () => {
    await withServer({}, async (url) => {
      const longName = 'test_' + 'x'.repeat(3 * MiB);
      const unknown = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 'i'.repeat(MiB), method: longName, params: [] }));
      assert.equal(unknown.body.error.code, RpcErrorCode.InvalidRequest);
      assert.equal(unknown.body.id, null, 'an overlong id is not echoed');
      assert.ok(JSON.stringify(unknown.body).length < 2000);
      const near = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_' + 'y'.repeat(200), params: [] }));
      assert.equal(near.body.error.code, RpcErrorCode.MethodNotFound);
      assert.match(near.body.error.message, /\(205 chars\)/);
      const huge = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_add', params: ['0x' + 'f'.repeat(10_000), '0x1'] }));
      assert.equal(huge.body.error.code, RpcErrorCode.InvalidParams);
      assert.match(huge.body.error.message, /params\[0\]: expected a 0x-prefixed hex integer of at most 32 bytes/);
    });
  });

  test('a batch of costly calls lets timers run while it is handled', async () => {
    let busyCalls = 0;
    const slow = { spin: { params: z.tuple([]), result: z.number() } };
    await withServer({}, async (url) => {
      let timerFiredAt = -1;
      const t0 = performance.now();
      setTimeout(() => (timerFiredAt = busyCalls), 0);
      const r = await post(url, JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'slow_spin', params: [] }))));
      assert.equal(r.body.length, 1000);
      assert.ok(timerFiredAt >= 0 && timerFiredAt < 1000, `the timer ran during the batch (after ${timerFiredAt} calls, ${Math.round(performance.now() - t0)} ms)`);
    }, (rpc) =>
      rpc.register('slow', slow, {
        spin: () => {
          const until = performance.now() + 1;
          while (performance.now() < until);
          return ++busyCalls;
        },
      }));
  });
});

test('the large-body gate admits a few at once, queues a few more, and turns the rest away', async () => {
  const gate = new LargeBodyGate(2, 1);
  const a = await gate.acquire();
  await gate.acquire();
  let third = false;
  const queued = gate.acquire().then((r) => ((third = true), r));
  await assert.rejects(gate.acquire(), ServerBusy);
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false);
  a();
  a(); // releasing twice frees one slot only
  (await queued)();
  assert.equal(third, true);
});

describe('JSON-RPC client transport', () => {
  test('sequential calls reuse one keep-alive connection; batched clients share HTTP requests', async () => {
    const rpc = new JsonRpcServer({ maxBodyBytes: 1 << 20, logger: silentLogger() });
    rpc.register('test', schemas, handlers);
    const { server, url } = await serve(rpc);
    let connections = 0;
    let requests = 0;
    server.on('connection', () => connections++);
    server.on('request', () => requests++);
    try {
      const client = createJsonRpcClient(url, 'test', schemas);
      for (let i = 0n; i < 5n; i++) assert.equal(await client.add(i, 1n), i + 1n);
      assert.equal(connections, 1);
      assert.equal(requests, 5);
      const batched = createJsonRpcClient(url, 'test', schemas, { batch: true });
      const sums = await Promise.all(Array.from({ length: 20 }, (_, i) => batched.add(BigInt(i), 1n)));
      assert.deepEqual(sums, Array.from({ length: 20 }, (_, i) => BigInt(i) + 1n));
      assert.equal(requests, 6);
      // an application error inside a batch answers only its own call
      const [ok, failed] = await Promise.allSettled([batched.add(1n, 1n), batched.fail()]);
      assert.deepEqual(ok, { status: 'fulfilled', value: 2n });
      assert.ok(failed.status === 'rejected' && failed.reason instanceof RpcRemoteError);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('errors name the server without its query string (API keys live there)', async () => {
    const client = createJsonRpcClient('http://127.0.0.1:1/rpc?apikey=supersecret', 'test', schemas, { retries: 0 });
    await assert.rejects(client.add(1n, 1n), (e: Error) => e instanceof RpcTransportError && /127\.0\.0\.1:1\/rpc/.test(e.message) && !/supersecret/.test(e.message));
    assert.throws(() => createJsonRpcClient('ftp://127.0.0.1:1', 'test', schemas), /use http:\/\/ or https:\/\//);
  });
});
