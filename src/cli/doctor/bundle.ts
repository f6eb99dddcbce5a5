// `quetzal doctor --bundle FILE.tar.gz`: what a maintainer asks for when something goes wrong, in one
// file. Every piece passes through the redactor (secret options, and the credentials of every URL
// option) before it is written.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { arch, cpus, freemem, loadavg, platform, release, tmpdir, totalmem, type as osType, uptime } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { redactedConfig, type ResolvedConfig } from '@quetzal/kernel/config';
import { logDir, type CoreConfig } from '@quetzal/kernel/core-plugins';
import { formatReport } from '@quetzal/kernel/doctor';
import { QUETZAL_VERSION } from '@quetzal/kernel/kernel-api';
import { logFiles } from '@quetzal/kernel/log-file';
import type { PluginDeclaration } from '@quetzal/kernel/plugin';
import { redactDeep, type Redactor } from '@quetzal/kernel/redaction';
import type { DoctorRun } from './run-doctor.js';

/** Read-only methods whose answers describe the node's recent work, asked when the node serves them. */
const STATE_METHODS = ['kernel_getInfo', 'proverNode_getStatus', 'proverNode_getJobs', 'proverBroker_getStatus', 'archiver_getTips', 'archiver_getSyncedL1Block'];
const PACKAGES = ['@aztec/bb.js', '@noir-lang/noir_js', 'viem', 'lmdb', 'pino', '@oclif/core'];

export async function writeBundle(o: { file: string; hours: number; run: DoctorRun; plugins: PluginDeclaration[]; config: ResolvedConfig; redactor: Redactor }): Promise<string> {
  const core = o.config.core as CoreConfig;
  const staging = mkdtempSync(join(tmpdir(), 'qz-bundle-'));
  const root = join(staging, 'quetzal-doctor');
  mkdirSync(join(root, 'logs'), { recursive: true });
  const put = (name: string, value: unknown) =>
    writeFileSync(join(root, name), typeof value === 'string' ? o.redactor.redactString(value) : `${JSON.stringify(redactDeep(value, o.redactor), bigints, 2)}\n`);
  try {
    put('report.txt', `${formatReport(o.run.results)}\n`);
    put('checks.json', o.run.results);
    put('versions.json', versions());
    put('config.json', { roles: o.run.roles, ...redactedConfig(o.plugins, o.config) });
    put('system.json', systemInfo(core.dataDir));
    put('state.json', await nodeState(o.run));
    const since = Date.now() - o.hours * 3_600_000;
    const kept = await copyRecentLogs(logDir(core), join(root, 'logs', 'quetzal.log'), since, o.redactor);
    put('logs/README.txt', `${kept} log lines from the last ${o.hours} h of ${logDir(core)}\n`);
    const out = resolve(o.file);
    mkdirSync(dirname(out), { recursive: true });
    const tar = spawnSync('tar', ['-czf', out, '-C', staging, 'quetzal-doctor'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`tar could not write ${out}: ${tar.stderr || tar.error?.message}`);
    return out;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function bigints(_: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

function versions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = { quetzal: QUETZAL_VERSION, node: process.version };
  for (const name of PACKAGES) {
    try {
      out[name] = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}

function systemInfo(dataDir: string): Record<string, unknown> {
  let disk: Record<string, number> | string;
  try {
    const fs = statfsSync(dataDir);
    disk = { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
  } catch (err) {
    disk = (err as Error).message;
  }
  const cpu = cpus();
  return {
    os: `${osType()} ${release()}`, platform: platform(), arch: arch(), cpus: cpu.length, cpuModel: cpu[0]?.model,
    memoryBytes: totalmem(), freeMemoryBytes: freemem(), loadavg: loadavg(), uptimeS: uptime(), dataDir, disk,
  };
}

async function nodeState(run: DoctorRun): Promise<Record<string, unknown>> {
  if (!run.node) return { error: 'no node answered: no live state' };
  const out: Record<string, unknown> = {};
  for (const method of STATE_METHODS.filter((m) => run.node!.info.methods.includes(m))) {
    try {
      const res = await fetch(run.node.url, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }), signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { result?: unknown; error?: unknown };
      out[method] = body.error ? { error: body.error } : body.result;
    } catch (err) {
      out[method] = { error: (err as Error).message };
    }
  }
  return out;
}

/** Appends the lines logged at or after `since` (ms) from the rotated files, oldest first. */
async function copyRecentLogs(dir: string, to: string, since: number, redactor: Redactor): Promise<number> {
  const lines: string[] = [];
  for (const file of logFiles(dir)) {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      const time = /"time":(\d+)/.exec(line)?.[1];
      if (time !== undefined && Number(time) >= since) lines.push(redactor.redactString(line));
    }
  }
  writeFileSync(to, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}
