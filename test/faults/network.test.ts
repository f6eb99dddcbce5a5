// Fault injection against a running network: agents and prover nodes holding the wrong broker
// token, key files that are empty or invalid, and secrets at trace level. One local network (its
// broker behind a token) serves every case; each case is a real process that joins it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANVIL_DEFAULT_PRIVATE_KEYS } from '@quetzal/l1';
import { isolatedEnv, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { localNetworkInfo, metric, waitFor } from '../e2e/helpers.js';
import { logLines } from './helpers.js';

const TOKEN = 'broker-token-for-fault-tests-0123';
const WRONG = 'not-the-broker-token-but-close-456';

describe('a network with faults at its edges', () => {
  let net: RunningCli;
  let brokerUrl: string;
  let joinFlags: string[];
  const keyDir = mkdtempSync(join(tmpdir(), 'qz-keys-'));

  before(async () => {
    const env = isolatedEnv({ LOG_LEVEL: 'info;trace:local-network' });
    net = await startCli(['--local-network', '--port', '0', '--local-network.anvil-port', '0', '--archiver', '--prover-broker', '--prover-broker.auth-token', TOKEN], env, 90_000);
    brokerUrl = `http://127.0.0.1:${net.port}`;
    const info = localNetworkInfo(net, env.DATA_DIRECTORY!);
    joinFlags = ['--l1.rpc-urls', info.l1Url, '--l1.deployment', info.deploymentFile, '--l1-client.genesis-file', info.genesisFile, '--archiver.url', brokerUrl];
  });
  after(async () => {
    await net?.stop();
  });

  it('anvil\'s banner (dev keys, mnemonic) is not logged, even at trace', () => {
    assert.ok(logLines(net.logs()).some((l) => l.module === 'local-network' && l.level === 10), 'anvil output is logged at trace');
    assert.doesNotMatch(net.logs(), /test test test|Private Keys|Mnemonic/);
    for (const key of ANVIL_DEFAULT_PRIVATE_KEYS) assert.ok(!net.logs().includes(key.slice(2)), 'no dev key in the logs');
  });

  it('an agent with a refused token reports it as refused and is not ready; the broker counts and logs it once', async () => {
    const agent = await startCli(['--prover-agent', '--prover-agent.broker-url', brokerUrl, '--prover-agent.auth-token', WRONG, '--port', '0'], isolatedEnv(), 60_000);
    try {
      await waitFor('the refusal', async () => /refused this agent's bearer token/.test(agent.logs()), 30_000, agent.logs);
      assert.equal((await fetch(`http://127.0.0.1:${agent.port}/ready`)).status, 503, 'the agent is not ready');
      assert.doesNotMatch(agent.logs(), /broker unreachable/);
      await waitFor('refused calls counted', async () => (await metric(net.port, 'quetzal_jsonrpc_refused_total')) >= 3, 30_000);
      const logged = logLines(net.logs()).filter((l) => /refused JSON-RPC calls/.test(String(l.msg)));
      assert.equal(logged.length, 1, 'refusals are logged once per period, not per call');
      assert.equal(logged[0]!.reason, 'wrong token');
    } finally {
      await agent.stop();
    }
  });

  it('a prover node with a refused broker token is not ready, and its key file stays secret at trace level', async () => {
    const keyFile = join(keyDir, 'prover.key');
    const key = ANVIL_DEFAULT_PRIVATE_KEYS[6]!.toUpperCase().replace('0X', '0x');
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    const node = await startCli(
      [...joinFlags, '--prover-node', '--prover-node.broker-url', brokerUrl, '--prover-node.broker-auth-token', WRONG, '--prover-node.publisher-private-key-file', keyFile, '--port', '0', '--log-level', 'trace'],
      isolatedEnv(),
      90_000,
    );
    try {
      await waitFor('the refusal', async () => /refused the prover node's bearer token/.test(node.logs()), 30_000, node.logs);
      assert.equal((await fetch(`http://127.0.0.1:${node.port}/ready`)).status, 503);
      const all = `${node.logs()}\n${net.logs()}`.toLowerCase();
      for (const secret of [key.slice(2).toLowerCase(), TOKEN.toLowerCase(), WRONG.toLowerCase()]) assert.ok(!all.includes(secret), 'no key or token in any log');
    } finally {
      await node.stop();
    }
  });

  it('the bearer scheme is case-insensitive', async () => {
    const r = await fetch(brokerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `bearer ${TOKEN}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'proverBroker_getProvingJobStatus', params: [`1:base:${'0'.repeat(64)}`] }),
    });
    assert.deepEqual((await r.json()).result, { status: 'not-found' });
  });

  it('an empty or invalid key file is an error naming the flag and the file, never a fallback to a dev key', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['empty.key', '\n', /is empty: write the 0x-prefixed hex key into it/],
      ['zero.key', `0x${'0'.repeat(64)}`, /not a valid secp256k1 private key/],
      ['junk.key', 'hunter2-not-a-key-at-all', /an L1 key must be 32 bytes of 0x-prefixed hex/],
    ];
    await Promise.all(
      cases.map(async ([name, content, reason]) => {
        const file = join(keyDir, name);
        writeFileSync(file, content);
        const r = await runCli(['start', ...joinFlags, '--prover-node', '--prover-broker', '--prover-node.publisher-private-key-file', file, '--port', '0'], isolatedEnv(), 90_000);
        assert.notEqual(r.code, 0, `${name}: ${r.stderr.slice(-2000)}`);
        assert.ok(r.stderr.includes(`--prover-node.publisher-private-key-file ${file}`), `${name} names the flag and the file:\n${r.stderr.slice(-2000)}`);
        assert.match(r.stderr, reason);
        assert.doesNotMatch(r.stderr, /using anvil's dev account|hunter2/);
      }),
    );
  });
});
