// Operator tools on a running simulated local network with every prover role: the web dashboard
// (headless Chromium) shows an epoch reaching `proven`; `quetzal doctor` with the same flags as
// start passes every check and writes a bundle holding no secret of the config; /metrics passes
// `promtool check metrics` and serves every metric the Grafana dashboard queries. And `doctor`
// against nothing running fails, naming its failing checks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ANVIL_DEFAULT_PRIVATE_KEYS } from '@quetzal/l1';
import { PROVER_DEV_ACCOUNT } from '@quetzal/prover-node';
import { ROOT, isolatedEnv, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { localNetworkInfo, NETWORK_FLAGS, PROVER_FLAGS, proverNodeClient, waitFor } from './helpers.js';

const TOKEN = 'broker-token-0f9e8d7c6b5a';
const KEY = ANVIL_DEFAULT_PRIVATE_KEYS[PROVER_DEV_ACCOUNT]!;
const URL_PASSWORD = 'rpc-password-a1b2c3d4';
const URL_API_KEY = 'rpcApiKey9Z8Y7X6W5V';
// The local network runs its own L1; this URL only sits in the config, where the bundle must hide its credentials.
const RPC_URL = `http://operator:${URL_PASSWORD}@127.0.0.1:9/v2/${URL_API_KEY}`;
const SECRETS = [TOKEN, KEY, KEY.slice(2), URL_PASSWORD, URL_API_KEY];

const START_FLAGS = [
  ...NETWORK_FLAGS, ...PROVER_FLAGS, '--prover-broker', '--prover-agent',
  '--prover-broker.auth-token', TOKEN, '--prover-node.publisher-private-key', KEY, '--l1.rpc-urls', RPC_URL,
];

let cli: RunningCli;
let env: NodeJS.ProcessEnv;

before(async () => {
  env = isolatedEnv();
  cli = await startCli(START_FLAGS, env, 90_000);
});
after(async () => {
  await cli?.stop();
});

test('doctor against nothing running exits non-zero naming the failing checks', async () => {
  const port = await freePort();
  const r = await runCli(['doctor', '--port', String(port)], isolatedEnv());
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL +node +no Quetzal node answers at http:\/\/127\.0\.0\.1:\d+/m);
  assert.match(r.stdout, /^ +fix: start it/m);
  assert.match(r.stdout, /check\(s\) failed: .*\bnode\b/);

  const withRoles = await runCli(['doctor', '--port', String(port), '--prover-node', '--prover-broker', '--archiver', '--l1.rpc-urls', `http://127.0.0.1:${port}`, '--l1.deployment', '/nonexistent/deployment.json'], isolatedEnv());
  assert.equal(withRoles.code, 1);
  for (const check of ['node', 'l1-rpc', 'l1-contracts', 'archiver-sync', 'publisher-funds']) assert.match(withRoles.stdout, new RegExp(`^FAIL +${check} `, 'm'), `${check} fails:\n${withRoles.stdout}`);
});

test('the dashboard shows an epoch reaching proven; doctor passes every check and bundles no secret; metrics pass promtool and cover Grafana', async () => {
  const url = `http://127.0.0.1:${cli.port}`;
  // --- the dashboard, in headless Chromium
  const profile = mkdtempSync(join(tmpdir(), 'qz-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/dashboard`);
    await page.locator('td[data-state="proven"]').first().waitFor({ timeout: 240_000 });
    await page.locator('#agents td').first().waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#node').innerText(), /roles: .*prover-node/);
    assert.match(await page.locator('#publisher').innerText(), /last proof tx\s+0x[0-9a-f]{64}/);
    assert.match(await page.locator('#epochs').innerText(), /proven/);
    const artifacts = join(ROOT, 'artifacts');
    mkdirSync(artifacts, { recursive: true });
    const shot = join(artifacts, 'dashboard-proven.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`dashboard screenshot: ${shot}`);
  } finally {
    await browser.close();
  }

  // --- doctor, with the same flags as start (and the ports the node and anvil took)
  const anvilPort = new URL(localNetworkInfo(cli, env.DATA_DIRECTORY!).l1Url).port;
  await waitFor('a funded escrow deposit', async () => (await proverNodeClient(cli.port).getStatus()).escrowDeposit, 30_000);
  const flags = START_FLAGS.map((f, i, all) => (all[i - 1] === '--port' ? String(cli.port) : all[i - 1] === '--local-network.anvil-port' ? anvilPort : f));
  const dir = mkdtempSync(join(tmpdir(), 'qz-bundle-test-'));
  const bundle = join(dir, 'support.tar.gz');
  const r = await runCli(['doctor', ...flags, '--bundle', bundle], env, 120_000);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n').filter((l) => /^(PASS|WARN|FAIL) /.test(l));
  assert.ok(lines.length >= 15, r.stdout);
  assert.deepEqual(lines.filter((l) => !l.startsWith('PASS')), [], 'every check passes');
  for (const check of ['l1-rpc', 'l1-chain-id', 'l1-contracts', 'clock-skew', 'archiver-sync', 'broker', 'agents', 'publisher-funds', 'bond', 'crs', 'vks', 'bb', 'world-state-lmdb', 'port', 'node']) {
    assert.match(r.stdout, new RegExp(`^PASS +${check} `, 'm'), `${check} ran`);
  }

  // --- the bundle: everything a maintainer needs, no secret of the config anywhere
  assert.equal(spawnSync('tar', ['-xzf', bundle, '-C', dir]).status, 0);
  const root = join(dir, 'quetzal-doctor');
  const files = walk(root);
  for (const f of ['report.txt', 'checks.json', 'versions.json', 'config.json', 'system.json', 'state.json', 'logs/quetzal.log']) assert.ok(files.includes(join(root, f)), `${f} in the bundle`);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${f} holds a secret of the config`);
  }
  const log = readFileSync(join(root, 'logs/quetzal.log'), 'utf8');
  assert.match(log, /"msg":"epoch proven and published"/, 'the node\'s own log file is in the bundle');
  const state = JSON.parse(readFileSync(join(root, 'state.json'), 'utf8'));
  assert.ok(state.proverNode_getJobs.some((j: { state: string }) => j.state === 'completed'));
  assert.ok(state.proverBroker_getStatus.agents.length >= 1);
  const config = JSON.parse(readFileSync(join(root, 'config.json'), 'utf8'));
  assert.equal(config.proverBroker.authToken, '[redacted]');
  assert.match(config.l1.rpcUrls[0], /127\.0\.0\.1:9/, 'the URL stays, without its credentials');
  assert.equal(JSON.parse(readFileSync(join(root, 'system.json'), 'utf8')).cpus > 0, true);

  // --- metrics: promtool accepts them, and every metric Grafana queries is served
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
  assert.ok(!promtool.error, 'promtool is installed (apt-get install prometheus; .ci/run does)');
  assert.equal(promtool.status, 0, `promtool check metrics:\n${promtool.stdout}${promtool.stderr}`);
  const served = new Set([...metrics.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])));
  const queried = grafanaMetrics();
  assert.ok(queried.size >= 20, `the Grafana dashboard queries ${queried.size} metrics`);
  const missing = [...queried].filter((m) => !served.has(m));
  assert.deepEqual(missing, [], 'metrics the Grafana dashboard queries that the node does not serve');
});

/** Every metric name in the expressions of deploy/grafana/quetzal.json. */
function grafanaMetrics(): Set<string> {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/quetzal.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  return new Set(exprs.flatMap((e) => [...e.matchAll(/\bquetzal_[a-z0-9_]+/g)].map((m) => m[0])));
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
