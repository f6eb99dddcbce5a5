import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startCli, isolatedEnv } from '../helpers/cli.js';

describe('quetzal start', () => {
  test('--help lists every role with its options, grouped by role', async () => {
    const { code, stdout } = await runCli(['start', '--help']);
    assert.equal(code, 0);
    for (const group of ['ARCHIVER FLAGS', 'PROVER-NODE FLAGS', 'PROVER-BROKER FLAGS', 'PROVER-AGENT FLAGS', 'GLOBAL FLAGS', 'L1 FLAGS']) assert.ok(stdout.includes(group), `missing ${group}`);
    for (const flag of ['--prover-agent.count', '--prover-agent.broker-url', '--archiver.url', '--prover-node.quote.basis-point-fee', '--prover-broker.job-timeout-ms'])
      assert.ok(stdout.includes(flag), `missing ${flag}`);
    assert.match(stdout, /alias: --proverAgent\.proverBrokerUrl/);
    assert.match(stdout, /env: PROVER_AGENT_COUNT/);
  });

  test('serves /health and /metrics, and exits 0 within the stop limit on SIGTERM', async () => {
    const node = await startCli(['--prover-broker', '--prover-agent', '--port', '0', '--stop-timeout-ms', '5000']);
    try {
      const base = `http://127.0.0.1:${node.port}`;
      assert.equal((await fetch(`${base}/health`)).status, 200);
      assert.deepEqual(await (await fetch(`${base}/ready`)).json(), { ready: true });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /quetzal_process_resident_memory_bytes \d+/);
    } finally {
      const { code, ms } = await node.stop('SIGTERM');
      assert.equal(code, 0);
      assert.ok(ms < 5000, `took ${ms} ms to stop`);
    }
  });

  test('--plan prints the start order and where each requirement comes from, and starts nothing', async () => {
    const env = isolatedEnv();
    const { code, stdout } = await runCli(['start', '--plan', '--archiver', '--prover-node', '--prover-broker', '--prover-agent'], env);
    assert.equal(code, 0);
    const order = [...stdout.matchAll(/^ *\d+\. ([a-z0-9-]+) \(/gm)].map((m) => m[1]!);
    assert.deepEqual([...order].sort(), ['archiver', 'circuit-prover', 'l1-client', 'p2p', 'prover-agent', 'prover-broker', 'prover-node', 'tx-pool', 'world-state']);
    const before = (a: string, b: string) => assert.ok(order.indexOf(a) < order.indexOf(b), `${a} starts before ${b}: ${order.join(', ')}`);
    for (const [provider, consumer] of [['l1-client', 'archiver'], ['archiver', 'world-state'], ['world-state', 'prover-node'], ['prover-broker', 'prover-node'], ['prover-broker', 'prover-agent'], ['circuit-prover', 'prover-agent'], ['world-state', 'tx-pool'], ['tx-pool', 'prover-node'], ['p2p', 'prover-node']]) before(provider!, consumer!);
    assert.match(stdout, /ProvingJobProducer <- prover-broker/);
    assert.match(stdout, /L2BlockSource <- archiver/);
    assert.match(stdout, /uses +Node <- nothing in this process/);
    const remote = await runCli(['start', '--plan', '--prover-agent', '--prover-agent.broker-url', 'http://10.0.0.5:8090'], env);
    assert.equal(remote.code, 0);
    assert.match(remote.stdout, /ProvingJobConsumer <- http:\/\/10\.0\.0\.5:8090\/? \(JSON-RPC\)/);
    const missing = await runCli(['start', '--plan', '--prover-node'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--archiver\.url/);
  });

  test('an unknown flag is refused with the closest spelling', async () => {
    const { code, stderr } = await runCli(['start', '--prover-agent', '--prover-agent.cuont', '2']);
    assert.notEqual(code, 0);
    assert.match(stderr, /unknown flag --prover-agent\.cuont; did you mean --prover-agent\.count\?/);
  });

  test('a bad option value names the option and its env var', async () => {
    const { code, stderr } = await runCli(['start', '--prover-agent', '--prover-agent.count', 'many']);
    assert.notEqual(code, 0);
    assert.match(stderr, /--prover-agent\.count \(env PROVER_AGENT_COUNT\)/);
  });

  test('no role at all is refused with the list of roles', async () => {
    const { code, stderr } = await runCli(['start']);
    assert.notEqual(code, 0);
    assert.match(stderr, /no role selected: pass at least one of .*--prover-node/);
  });

  test('the seed spellings are accepted as aliases', async () => {
    const { code, stdout } = await runCli([
      'config', 'show', '--l1-rpc-urls', 'http://127.0.0.1:9545', '--p2p.p2pIp', '10.1.2.3', '--network', 'local',
      '--proverAgent.proverBrokerUrl', 'http://127.0.0.1:9000', '--proverNode.publisherPrivateKey', '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
    ]);
    assert.equal(code, 0);
    const config = JSON.parse(stdout);
    assert.deepEqual(config.l1.rpcUrls, ['http://127.0.0.1:9545']);
    assert.equal(config.p2p.ip, '10.1.2.3');
    assert.deepEqual(config.proverAgent.brokerUrl, ['http://127.0.0.1:9000']);
    assert.equal(config.proverNode.publisherPrivateKey, '[redacted]');
  });

  test('config show takes env and config file, and never prints secrets', async () => {
    const env = isolatedEnv({ PROVER_AGENT_COUNT: '3', PROVER_BROKER_AUTH_TOKEN: 'broker-token-123456', L1_RPC_URLS: 'https://me:pass-word-987@l1.example/v2/api-key-0123456789' });
    const { code, stdout } = await runCli(['config', 'show', '--prover-agent'], env);
    assert.equal(code, 0);
    for (const secret of ['broker-token-123456', 'pass-word-987', 'api-key-0123456789']) assert.ok(!stdout.includes(secret), `${secret} printed`);
    assert.match(stdout, /l1\.example/, 'the URL is shown without its credentials');
    const config = JSON.parse(stdout);
    assert.equal(config.proverAgent.count, 3);
    assert.deepEqual(config.roles, ['prover-agent']);
  });
});
