import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedEnv, runCli } from '../helpers/cli.js';

test('quetzal p2p id creates the peer key once and prints the same multiaddr every time', async () => {
  const env = isolatedEnv();
  const first = await runCli(['p2p', 'id', '--p2p.p2pIp', '10.1.2.3', '--p2p.port', '40500'], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout.trim(), /^\/ip4\/10\.1\.2\.3\/tcp\/40500\/p2p\/12D3KooW[1-9A-HJ-NP-Za-km-z]+$/);
  const keyFile = join(env.DATA_DIRECTORY!, 'p2p', 'peer-key');
  assert.match(first.stderr, new RegExp(`created ${keyFile}`));
  assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'the key file is private');
  const again = await runCli(['p2p', 'id', '--p2p.ip', '10.1.2.3', '--p2p.port', '40500'], env);
  assert.equal(again.stdout, first.stdout, 'the peer id is stable');
  assert.doesNotMatch(again.stderr, /created/);
});

test('bad P2P options are refused naming the flag', async () => {
  const bad = await runCli(['config', 'show', '--p2p.bootstrap-nodes', '/ip4/127.0.0.1/tcp/1']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--p2p\.bootstrap-nodes .*\/ip4\/<ip>\/tcp\/<port>\/p2p\/<peer id>/);
});
