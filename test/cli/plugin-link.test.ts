import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, startCli, isolatedEnv, ROOT } from '../helpers/cli.js';

test('a third-party plugin linked with `quetzal plugins link` adds a role whose service starts and exports its metric', async () => {
  const env = isolatedEnv();
  const link = await runCli(['plugins', 'link', join(ROOT, 'examples/plugin-hello'), '--no-install'], env);
  assert.equal(link.code, 0, link.stderr);

  const help = await runCli(['start', '--help'], env);
  assert.match(help.stdout, /HELLO FLAGS[\s\S]*--hello\.interval-ms/);

  const node = await startCli(['--hello', '--hello.interval-ms', '20', '--hello.greeting', 'hi there', '--port', '0'], env);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const metrics = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
    const count = Number(/quetzal_hello_greetings_total (\d+)/.exec(metrics)?.[1]);
    assert.ok(count >= 2, `expected greetings in /metrics, got ${count}`);
    assert.match(node.logs(), /"module":"hello".*"msg":"hi there"/);
  } finally {
    assert.equal((await node.stop()).code, 0);
  }

  const unlink = await runCli(['plugins', 'unlink', 'quetzal-plugin-hello'], env);
  assert.equal(unlink.code, 0, unlink.stderr);
  const after = await runCli(['start', '--hello'], env);
  assert.notEqual(after.code, 0);
  assert.match(after.stderr, /unknown flag --hello/);
});
