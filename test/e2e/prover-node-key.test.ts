// The prover's L1 key from a key file: used (the node signs as that address) and never printed;
// a malformed key file is refused with a message naming the option, not the file's content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_PRIVATE_KEYS } from '@quetzal/l1';
import { isolatedEnv, startCli } from '../helpers/cli.js';
import { proverNodeClient } from './helpers.js';

const BASE = ['--local-network', '--local-network.anvil-port', '0', '--port', '0', '--archiver', '--prover-broker', '--prover-node'];

test('the publisher key comes from a key file and never reaches the output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-key-'));
  const key = ANVIL_DEFAULT_PRIVATE_KEYS[5]!;
  const file = join(dir, 'prover.key');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  const cli = await startCli([...BASE, '--prover-node.publisher-private-key-file', file], isolatedEnv(), 90_000);
  try {
    const status = await proverNodeClient(cli.port).getStatus();
    assert.equal(status.address, privateKeyToAccount(key).address);
    assert.ok(!cli.logs().toLowerCase().includes(key.slice(2).toLowerCase()), 'the key is not in the output');
  } finally {
    await cli.stop();
  }

  const bad = join(dir, 'bad.key');
  writeFileSync(bad, 'not-a-key-but-a-secret-looking-string');
  await assert.rejects(startCli([...BASE, '--prover-node.publisher-private-key-file', bad], isolatedEnv(), 90_000), (err: Error) => {
    assert.ok(err.message.includes(`--prover-node.publisher-private-key-file ${bad}: an L1 key must be 32 bytes of 0x-prefixed hex`), err.message);
    assert.doesNotMatch(err.message, /secret-looking/);
    return true;
  });
});
