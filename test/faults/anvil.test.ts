// Fault injection: kill -9 of a local network. Its anvil must die with it; an anvil orphaned anyway
// (its watchdog killed too, as every kill -9 did before) is stopped by the next start, which takes
// over its port; a port held by another program is named as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { logLines } from './helpers.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const childrenOf = (pid: number) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function anvilOf(env: NodeJS.ProcessEnv): { pid: number; port: number } {
  return JSON.parse(readFileSync(join(env.DATA_DIRECTORY!, 'local-network', 'anvil.pid'), 'utf8'));
}

const start = (env: NodeJS.ProcessEnv, port = 0) => startCli(['--local-network', '--port', '0', '--local-network.anvil-port', String(port)], env, 90_000);

test('the local network\'s anvil dies with a kill -9 of its parent; an orphan is stopped by the next start', async () => {
  const env = isolatedEnv();
  let cli: RunningCli | undefined = await start(env);
  try {
    const first = anvilOf(env);
    assert.ok(alive(first.pid));
    cli.child.kill('SIGKILL');
    await cli.exited;
    await until('anvil to die with its parent', () => !alive(first.pid), 5_000);

    // the old behaviour, reproduced: anvil left running with nobody watching it
    cli = await start(env);
    const orphan = anvilOf(env);
    const watchdog = Number(readFileSync(`/proc/${orphan.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    const watchers = [watchdog, ...childrenOf(watchdog).filter((p) => p !== orphan.pid)];
    cli.child.kill('SIGKILL');
    for (const p of watchers) process.kill(p, 'SIGKILL');
    await cli.exited;
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(alive(orphan.pid), 'the orphaned anvil still runs, holding its port');

    // the next start on the same port stops the orphan and takes the port over
    cli = await start(env, orphan.port);
    assert.ok(!alive(orphan.pid), 'the orphan was stopped');
    const warned = logLines(cli.logs()).find((l) => l.msg === 'stopped an anvil left running by an earlier run that was killed');
    assert.equal(warned?.pid, orphan.pid);
    assert.equal(anvilOf(env).port, orphan.port);
  } finally {
    await cli?.stop();
  }
});

test('a port held by another program is named as such', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    await assert.rejects(start(isolatedEnv(), port), (err: Error) => {
      assert.match(err.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use by another program`));
      return true;
    });
  } finally {
    server.close();
  }
});
