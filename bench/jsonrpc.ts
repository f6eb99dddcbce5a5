// `npm run bench -- jsonrpc`: CPU per JSON-RPC call of the kernel's client (keep-alive node:http,
// optionally batching) against fetch (what the kernel's client used before, kept here as the
// baseline), on the same server and payload in the same run. Client and server share the process,
// so the CPU figure is both sides of one call; each scenario runs in a fresh process.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { zBytes } from '@quetzal/kernel/jsonrpc/codec';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import { silentLogger } from '@quetzal/kernel/testing';
import { machineDescription, median, report, type BenchMetric, type BenchResult } from './report.js';

type Transport = 'fetch' | 'keep-alive' | 'keep-alive-batch';
interface Scenario {
  transport: Transport;
  concurrency: number;
  calls: number;
}

const schemas = { echo: { params: z.tuple([zBytes]), result: zBytes } };

/** The kernel client's former transport: one fetch per call. */
function fetchClient(url: string) {
  let id = 1;
  return {
    async echo(bytes: Uint8Array): Promise<Uint8Array> {
      const body = JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'bench_echo', params: [z.encode(zBytes, bytes)] });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
      const payload = JSON.parse(await res.text()) as { result: string };
      return z.decode(zBytes, payload.result);
    },
  };
}

/** CPU microseconds per call (client + server), and calls per second. */
async function scenario(s: Scenario): Promise<{ cpuUsPerCall: number; callsPerSec: number }> {
  const rpc = new JsonRpcServer({ maxBodyBytes: 1 << 20, logger: silentLogger() });
  rpc.register('bench', schemas, { echo: (b: Uint8Array) => b });
  const server = createServer((req, res) => void rpc.handleHttp(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = s.transport === 'fetch' ? fetchClient(url) : createJsonRpcClient(url, 'bench', schemas, { retries: 0, batch: s.transport === 'keep-alive-batch' });
  const payload = new Uint8Array(256).fill(7);
  const drive = async (calls: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: s.concurrency }, async () => {
        while (next++ < calls) await client.echo(payload);
      }),
    );
  };
  await drive(Math.min(2000, s.calls)); // JIT warm-up, connections opened
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(s.calls);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  server.closeAllConnections();
  server.close();
  return { cpuUsPerCall: Math.round((cpu.user + cpu.system) / s.calls), callsPerSec: Math.round((s.calls / ms) * 1000) };
}

function inChild(s: Scenario): Promise<{ cpuUsPerCall: number; callsPerSec: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--scenario', JSON.stringify(s)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`scenario ${JSON.stringify(s)} exited with ${code}`))));
  });
}

export async function run(): Promise<BenchResult> {
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  const results: BenchMetric[] = [];
  const runs: Record<string, unknown> = {};
  for (const [concurrency, calls] of [
    [1, 3000],
    [64, 20_000],
  ] as const) {
    const figures: Record<Transport, { cpuUsPerCall: number; callsPerSec: number }[]> = { fetch: [], 'keep-alive': [], 'keep-alive-batch': [] };
    for (let r = 0; r < RUNS; r++) {
      for (const transport of Object.keys(figures) as Transport[]) figures[transport].push(await inChild({ transport, concurrency, calls }));
    }
    runs[`concurrency-${concurrency}`] = figures;
    const base = median(figures.fetch.map((f) => f.cpuUsPerCall));
    for (const transport of ['keep-alive', 'keep-alive-batch'] as const) {
      if (concurrency === 1 && transport === 'keep-alive-batch') continue; // nothing to batch
      const ours = median(figures[transport].map((f) => f.cpuUsPerCall));
      results.push({
        metric: `CPU per call (client + server), ${concurrency} concurrent caller${concurrency > 1 ? 's' : ''}, kernel client over ${transport === 'keep-alive' ? 'keep-alive node:http' : 'keep-alive node:http with batching'}`,
        unit: 'us',
        ours,
        baseline: base,
        baselineName: 'the same client over fetch',
        ratio: Math.round((ours / base) * 100) / 100,
        goal: '<= 1',
      });
    }
  }
  return {
    benchmark: 'jsonrpc',
    command: 'npm run bench -- jsonrpc',
    machine: machineDescription(),
    date: new Date().toISOString(),
    results,
    notes: [`medians of ${RUNS} runs, each scenario in a fresh process after 2000 warm-up calls; 256-byte payload echoed by the kernel's JsonRpcServer on node:http`],
    runs,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--scenario');
  if (i >= 0) {
    process.stdout.write(`${JSON.stringify(await scenario(JSON.parse(process.argv[i + 1]!)))}\n`);
    process.exit(0);
  }
  report(await run());
}
