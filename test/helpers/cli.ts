import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/run.js');

/** An environment where oclif keeps its user plugins and caches in a fresh temp dir. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'qz-cli-'));
  return {
    ...process.env,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'),
    DATA_DIRECTORY: join(home, 'quetzal'),
    LOG_LEVEL: 'info',
    // oclif wraps messages to the terminal width; tests match whole lines.
    OCLIF_COLUMNS: '400',
    ...extra,
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `quetzal ARGS` to completion (under `wrap`, as startCli). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = isolatedEnv(), timeoutMs = 60_000, options: { wrap?: string[] } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = cliCommand(args, 'node', options.wrap);
    const child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`quetzal ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningCli {
  child: ChildProcess;
  /** The quetzal process (the pid of its "started" log): `child` itself, or deno under npx. */
  pid: number;
  port: number;
  logs: () => string;
  /** Resolves with the exit code when the process ends by itself (or is stopped). */
  exited: Promise<number | null>;
  /**
   * Sends a signal to the quetzal process (or, with `group`, to the whole process group, as a
   * terminal's Ctrl-C does; needs `detached`) and resolves with the exit code of `child` and how
   * long the exit took. npx exits with deno's code when deno alone is signalled.
   */
  stop(signal?: NodeJS.Signals, options?: { group?: boolean }): Promise<{ code: number | null; ms: number }>;
}

export interface StartCliOptions {
  detached?: boolean;
  /**
   * `deno`: run as `npx deno run -A bin/run.js start ARGS`, the README's command (implies
   * `detached`, so that a timeout can kill npm, its shell and deno together).
   */
  runtime?: 'node' | 'deno';
  /** Runs the command under another one (e.g. `nsenter` into a mount namespace), which must exec it. */
  wrap?: string[];
}

/** The command that runs `quetzal ARGS` under a runtime, and under `wrap`. */
function cliCommand(args: string[], runtime: 'node' | 'deno' = 'node', wrap: string[] = []): [string, string[]] {
  const [command, commandArgs]: [string, string[]] = runtime === 'deno' ? ['npx', ['--no-install', 'deno', 'run', '-A', BIN, ...args]] : [process.execPath, [BIN, ...args]];
  return wrap.length ? [wrap[0]!, [...wrap.slice(1), command, ...commandArgs]] : [command, commandArgs];
}

/**
 * A test that fails before its cleanup leaves its processes running, and they would keep the test
 * file's process (and the whole run) alive: the runner exits anyway (--test-force-exit) and they die
 * with it.
 */
function killQuietly(pid: number) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts `quetzal start ARGS` (pass `--port 0`) and resolves once the kernel logged "started". */
export function startCli(args: string[], env: NodeJS.ProcessEnv = isolatedEnv(), timeoutMs = 60_000, options: StartCliOptions = {}): Promise<RunningCli> {
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = cliCommand(['start', ...args], options.runtime, options.wrap);
    const detached = options.detached || options.runtime === 'deno';
    const child = spawn(command, commandArgs, { cwd: ROOT, env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached });
    let output = '';
    const leftover = () => killQuietly(detached ? -child.pid! : child.pid!);
    process.on('exit', leftover);
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code) => {
        process.off('exit', leftover);
        r(code);
      }),
    );
    const timer = setTimeout(() => {
      if (detached) process.kill(-child.pid!, 'SIGKILL');
      else child.kill('SIGKILL');
      reject(new Error(`quetzal start ${args.join(' ')} did not start within ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      output += d;
      // complete lines only: a chunk may end mid-line
      for (const line of output.split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue;
        let entry: { module?: string; msg?: string; port?: number; pid?: number };
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        if (entry.module === 'kernel' && entry.msg === 'started' && entry.port) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          child.stderr!.off('data', onData);
          child.stdout!.on('data', (x) => (output += x));
          child.stderr!.on('data', (x) => (output += x));
          const pid = entry.pid ?? child.pid!;
          resolve({
            child,
            pid,
            port: entry.port,
            logs: () => output,
            exited,
            async stop(signal = 'SIGTERM', { group = false } = {}) {
              const t0 = Date.now();
              // A process that already ended (a test's kill, a crash) is stopped: cleanup goes on to the others.
              if (child.exitCode === null && child.signalCode === null) {
                try {
                  if (group) process.kill(-child.pid!, signal);
                  else process.kill(pid, signal);
                } catch (err) {
                  if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
                }
              }
              const code = await exited;
              return { code, ms: Date.now() - t0 };
            },
          });
          return;
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`quetzal start exited with ${code} before it started\n${output}`));
    });
  });
}
