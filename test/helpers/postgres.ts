// A PostgreSQL server for tests: the one named by QUETZAL_TEST_POSTGRES_URL (`.ci/run` starts it),
// or else a throwaway cluster of this machine's PostgreSQL binaries (initdb + pg_ctl, a free port,
// trust auth on 127.0.0.1), stopped and deleted at the end. Each caller gets a fresh database.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../broker/helpers.js';

const run = promisify(execFile);

export interface TestPostgres {
  /** Connection URL of a database of its own. */
  url: string;
  stop(): Promise<void>;
}

/** Where initdb and pg_ctl are: $PG_BIN, Debian's newest /usr/lib/postgresql/N/bin, or the PATH. */
function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  for (const v of [17, 16, 15, 14, 13]) if (existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) return `/usr/lib/postgresql/${v}/bin`;
  return '';
}

const clusters = new Map<boolean, Promise<{ url: string; stop(): Promise<void> }>>();
const users = new Map<boolean, number>();

/** PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user. */
async function startCluster(durable: boolean): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = binDir();
  const tool = (name: string) => (bin ? join(bin, name) : name);
  const dir = await mkdtemp(join(tmpdir(), 'quetzal-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const exec = async (cmd: string, args: string[]) => {
    if (!asRoot) return run(cmd, args);
    return run('runuser', ['-u', 'postgres', '--', cmd, ...args]);
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error('PostgreSQL tests as root need the "postgres" user (apt-get install -y postgresql), or set QUETZAL_TEST_POSTGRES_URL');
    });
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chmod(dir, 0o700);
  }
  try {
    await exec(tool('initdb'), ['-D', data, '-U', 'quetzal', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  } catch (err) {
    throw new Error(`cannot create a PostgreSQL cluster with ${tool('initdb')} (install PostgreSQL, set PG_BIN, or set QUETZAL_TEST_POSTGRES_URL): ${(err as Error).message}`, { cause: err });
  }
  const port = await freePort();
  // fsync off for tests (a throwaway cluster; durability is PostgreSQL's, not under test); on for benchmarks
  const speed = durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=300${speed}`;
  await exec(tool('pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  const url = `postgres://quetzal@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    await exec(tool('pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    // best effort if a test run ends without stop()
    try {
      execFileSync(asRoot ? 'runuser' : tool('pg_ctl'), asRoot ? ['-u', 'postgres', '--', tool('pg_ctl'), '-D', data, '-m', 'immediate', 'stop'] : ['-D', data, '-m', 'immediate', 'stop'], { stdio: 'ignore' });
    } catch {
      /* already stopped */
    }
  });
  return { url, stop };
}

/**
 * A fresh database on the CI server or on a throwaway cluster (one per test process, shared by the
 * databases it hands out; stopped when the last of them stops).
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const durable = options.durable ?? false;
  const external = durable ? undefined : process.env.QUETZAL_TEST_POSTGRES_URL;
  let cluster = clusters.get(durable);
  if (!external && !cluster) clusters.set(durable, (cluster = startCluster(durable)));
  const server = external ? { url: external } : await cluster!;
  users.set(durable, (users.get(durable) ?? 0) + 1);
  const name = `quetzal_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
      users.set(durable, users.get(durable)! - 1);
      const started = clusters.get(durable);
      if (users.get(durable) === 0 && started) {
        clusters.delete(durable);
        await (await started).stop();
      }
    },
  };
}
