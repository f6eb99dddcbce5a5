// A local L1: anvil from @foundry-rs/anvil (the binary ships in the platform package; no download).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** anvil's default mnemonic accounts (test junk; public knowledge). Account 0 deploys by default. */
/** anvil's default chain id: the one chain where dev keys and dev-only settings are allowed. */
export const ANVIL_CHAIN_ID = 31337;

export const ANVIL_DEFAULT_PRIVATE_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
] as const satisfies readonly `0x${string}`[];

export interface AnvilOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1 (never 0.0.0.0 unless asked). */
  host?: string;
  chainId?: number;
  /** Seconds between blocks; unset = mine on every tx (automine). */
  blockTime?: number;
  /** Start with mining off (no automine, no interval): txs wait in the mempool until `evm_mine`. */
  noMining?: boolean;
  codeSizeLimit?: number;
  gasLimit?: bigint;
  /** Genesis block timestamp (seconds). */
  timestamp?: number;
  accounts?: number;
  /** Extra command-line arguments. */
  extraArgs?: string[];
  /**
   * Forward anvil's stdout/stderr lines here (default: dropped). Its start-up banner (dev keys and
   * mnemonic) is left out unless `banner` is set.
   */
  onOutput?: (line: string) => void;
  banner?: boolean;
  readyTimeoutMs?: number;
  /**
   * Records anvil's pid here while it runs. A file left by a run that was killed names an orphan:
   * it is stopped before this start (it holds the port), or the error names it.
   */
  pidFile?: string;
  /** Told when an orphan is stopped. */
  log?: { warn(obj: object, msg: string): void };
}

export interface AnvilInstance {
  url: string;
  port: number;
  host: string;
  chainId: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

export function anvilBinaryPath(): string {
  const candidates: string[] = [];
  try {
    candidates.push(join(dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin/anvil'));
  } catch {
    /* not installed for this platform */
  }
  try {
    const base = dirname(require.resolve('@foundry-rs/anvil/package.json'));
    candidates.push(join(base, '..', `anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`, 'bin/anvil'));
  } catch {
    /* ignore */
  }
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`anvil binary not found (looked in: ${candidates.join(', ') || 'no @foundry-rs/anvil platform package'})`);
  return found;
}

/** Resolves to a free TCP port on `host`. */
export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be listened on now; any other error than EADDRINUSE is thrown, naming the address. */
async function portFree(port: number, host: string): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(new Error(`cannot start anvil on ${host}:${port}: ${e.message}`))));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

async function assertPortFree(port: number, host: string): Promise<void> {
  if (!(await portFree(port, host))) throw new Error(`cannot start anvil: port ${port} on ${host} is already in use by another program (port 0 picks a free one)`);
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/**
 * anvil runs under a small shell that reads our end of a pipe: when this process ends in any way
 * (kill -9 included) the pipe closes and the shell stops anvil, so it cannot outlive us. The shell
 * reports anvil's pid first, and exits with anvil's status.
 */
const WATCHDOG = [
  // a background job's stdin would be /dev/null: keep the pipe on fd 3 for the reader
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- &',
  'pid=$!',
  'echo "quetzal-anvil-pid=$pid"',
  '(read _ <&3; kill $pid 2>/dev/null) &',
  'reader=$!',
  'wait $pid',
  'code=$?',
  'kill $reader 2>/dev/null',
  'exit $code',
].join('\n');

/** Starts anvil and resolves once it answers JSON-RPC. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilInstance> {
  const host = opts.host ?? '127.0.0.1';
  if (opts.pidFile) await stopOrphan(opts.pidFile, host, opts.log);
  const port = opts.port && opts.port > 0 ? opts.port : await getFreePort(host);
  await assertPortFree(port, host);
  const chainId = opts.chainId ?? ANVIL_CHAIN_ID;
  const args = ['--host', host, '--port', String(port), '--chain-id', String(chainId), '--accounts', String(opts.accounts ?? 10)];
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  if (opts.noMining) args.push('--no-mining');
  if (opts.codeSizeLimit !== undefined) args.push('--code-size-limit', String(opts.codeSizeLimit));
  if (opts.gasLimit !== undefined) args.push('--gas-limit', String(opts.gasLimit));
  if (opts.timestamp !== undefined) args.push('--timestamp', String(opts.timestamp));
  args.push(...(opts.extraArgs ?? []));

  const child: ChildProcess = spawn('/bin/sh', ['-c', WATCHDOG, anvilBinaryPath(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  // the pipe's only job is to close when we end; an early close (the shell gone) is not an error here
  child.stdin?.on('error', () => {});
  let anvilPid: number | undefined;
  let output = '';
  let inBanner = !opts.banner;
  const onData = (d: Buffer) => {
    const s = d.toString();
    for (const line of s.split('\n')) {
      const pid = /^quetzal-anvil-pid=(\d+)$/.exec(line.trim());
      if (pid) {
        anvilPid = Number(pid[1]);
        continue;
      }
      // the banner lists the dev accounts' private keys and the mnemonic; it ends where anvil starts listening
      if (inBanner && !/Listening on/.test(line)) continue;
      inBanner = false;
      output = (output + line + '\n').slice(-4000);
      if (opts.onOutput && line.trim()) opts.onOutput(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      if (opts.pidFile) rmSync(opts.pidFile, { force: true });
      resolve();
    }),
  );
  const killNow = () => {
    if (anvilPid) tryKill(anvilPid, 'SIGKILL');
    child.kill('SIGKILL');
  };
  process.once('exit', killNow);

  const url = `http://${host}:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (exited) throw new Error(`anvil exited during start-up (code ${exited.code}, signal ${exited.signal}): ${output.trim().slice(-1000)}`);
    try {
      await rpc(url, 'eth_chainId');
      break;
    } catch {
      if (Date.now() > deadline) {
        killNow();
        throw new Error(`anvil did not answer on ${url} within ${opts.readyTimeoutMs ?? 15_000} ms: ${output.trim().slice(-1000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (opts.pidFile && anvilPid) writeFileSync(opts.pidFile, JSON.stringify({ pid: anvilPid, host, port }) + '\n');

  return {
    url,
    port,
    host,
    chainId,
    pid: anvilPid,
    async stop() {
      process.removeListener('exit', killNow);
      if (exited) return;
      child.stdin?.end();
      const t = setTimeout(killNow, 3000);
      await exitPromise;
      clearTimeout(t);
    },
  };
}

/**
 * Stops the anvil a killed run left behind (its pid file says which), so that its port is free.
 * A pid that is gone or is no longer anvil is ignored; an anvil we may not stop is an error naming it.
 */
async function stopOrphan(pidFile: string, host: string, log?: AnvilOptions['log']): Promise<void> {
  let recorded: { pid: number; host?: string; port?: number };
  try {
    recorded = JSON.parse(readFileSync(pidFile, 'utf8'));
  } catch {
    return;
  }
  const { pid } = recorded;
  if (!Number.isInteger(pid) || pid <= 1 || !isAnvil(pid)) {
    rmSync(pidFile, { force: true });
    return;
  }
  const where = `anvil (pid ${pid}${recorded.port ? `, port ${recorded.port}` : ''}) left running by an earlier run (${pidFile})`;
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    throw new Error(`cannot stop the ${where}: ${(err as NodeJS.ErrnoException).code}; stop it yourself (kill ${pid})`, { cause: err });
  }
  for (let i = 0; i < 40 && isAnvil(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (isAnvil(pid)) tryKill(pid, 'SIGKILL');
  for (let i = 0; i < 20 && isAnvil(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (isAnvil(pid)) throw new Error(`cannot stop the ${where}; stop it yourself (kill -9 ${pid})`);
  // Its main thread can be a zombie while its other threads still close their sockets: the port
  // is ours again only once it can be listened on.
  if (recorded.port) for (let i = 0; i < 100 && !(await portFree(recorded.port, recorded.host ?? host)); i++) await new Promise((r) => setTimeout(r, 50));
  log?.warn({ pid, port: recorded.port }, 'stopped an anvil left running by an earlier run that was killed');
  rmSync(pidFile, { force: true });
}

/** Whether `pid` is a live anvil process (read from /proc; elsewhere, only that it is alive). */
function isAnvil(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // a zombie (state Z) holds no port; it is waiting for its parent to collect it
    return /(^|\/)anvil\0/.test(cmdline) && !/\) Z /.test(stat);
  } catch {
    return existsSync('/proc') ? false : true;
  }
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** Test/dev helpers over anvil's JSON-RPC extensions. */
export const anvilRpc = {
  mine: (url: string, blocks = 1) => rpc(url, 'anvil_mine', [`0x${blocks.toString(16)}`]),
  setNextBlockTimestamp: (url: string, ts: number | bigint) => rpc(url, 'evm_setNextBlockTimestamp', [`0x${BigInt(ts).toString(16)}`]),
  increaseTime: (url: string, seconds: number) => rpc(url, 'evm_increaseTime', [`0x${seconds.toString(16)}`]),
  setAutomine: (url: string, on: boolean) => rpc(url, 'evm_setAutomine', [on]),
  /** Mines one block at exactly `ts`. */
  mineAt: async (url: string, ts: number | bigint) => {
    await rpc(url, 'evm_setNextBlockTimestamp', [`0x${BigInt(ts).toString(16)}`]);
    await rpc(url, 'evm_mine', []);
  },
  snapshot: (url: string) => rpc(url, 'evm_snapshot') as Promise<string>,
  revert: (url: string, id: string) => rpc(url, 'evm_revert', [id]),
  dropTransaction: (url: string, hash: string) => rpc(url, 'anvil_dropTransaction', [hash]),
  setNextBlockBaseFee: (url: string, fee: bigint) => rpc(url, 'anvil_setNextBlockBaseFeePerGas', [`0x${fee.toString(16)}`]),
  setStorageAt: (url: string, address: string, slot: bigint, value: bigint) =>
    rpc(url, 'anvil_setStorageAt', [address, `0x${slot.toString(16).padStart(64, '0')}`, `0x${value.toString(16).padStart(64, '0')}`]),
  raw: rpc,
};
