// Each doctor check fails on a setup broken the way it checks, against real services: anvil with
// the contracts deployed, a real archiver, a real broker over HTTP, the real bb binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey } from 'viem/accounts';
import { anvilRpc, writeDeploymentFile } from '@quetzal/l1';
import { l1Checks, type L1Target } from '@quetzal/l1-client';
import { Archiver, ArchiverStore, archiverPlugin, registerArchiverRpc } from '@quetzal/archiver';
import { proverNodePlugin } from '@quetzal/prover-node';
import { circuitProverPlugin } from '@quetzal/circuit-prover';
import { ProvingBroker, MemoryBrokerDatabase, brokerChecks, startProvingBrokerServer } from '@quetzal/prover-broker';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import { CheckResources, runChecks, type CheckContext, type CheckOutcome, type DoctorCheck } from '@quetzal/kernel/doctor';
import { Redactor } from '@quetzal/kernel/redaction';
import { silentLogger, testCheckContext } from '@quetzal/kernel/testing';
import { KEYS, setup, type Env } from '../l1/harness.js';

/** Runs one check the way `quetzal doctor` does (a missing prerequisite fails the check). */
const run = async (checks: DoctorCheck[], name: string): Promise<CheckOutcome> => {
  const check = checks.find((c) => c.name === name);
  assert.ok(check, `a check named ${name}`);
  const [result] = await runChecks([{ plugin: 'test', check }], { timeoutMs: 30_000, redactor: new Redactor() });
  return result!;
};
const expectFail = async (checks: DoctorCheck[], name: string, detail: RegExp) => {
  const out = await run(checks, name);
  assert.equal(out.status, 'fail', `${name}: ${out.detail}`);
  assert.match(out.detail, detail);
  assert.ok(out.fix, `${name} says how to fix it`);
};

describe('doctor checks', () => {
  let env: Env;
  let dir: string;
  let deploymentFile: string;
  /** A context whose L1 resource comes from l1Checks over `target`, as under `quetzal doctor`. */
  const withL1 = <C>(config: C, target: Partial<L1Target> = {}, extra: Partial<CheckContext<C>> = {}) => {
    const resources = new CheckResources();
    const ctx = testCheckContext(config, { provide: (t, m) => resources.provide(t, m), resolve: (t) => resources.resolve(t), ...extra });
    const l1 = l1Checks(ctx, { rpcUrls: [env.anvil.url], chainId: 31337, deploymentFile, deploymentFlag: '--l1.deployment', ...target });
    return { ctx, l1 };
  };

  before(async () => {
    env = await setup();
    dir = mkdtempSync(join(tmpdir(), 'qz-doctor-'));
    deploymentFile = join(dir, 'deployment.json');
    writeDeploymentFile(deploymentFile, env.deployment);
  });
  after(async () => {
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('L1 checks pass on a healthy L1 and fail on an unreachable L1, another chain, a deployment without code, a skewed clock', async () => {
    const healthy = withL1({}).l1;
    for (const name of ['l1-rpc', 'l1-chain-id', 'l1-contracts', 'clock-skew']) assert.equal((await run(healthy, name)).status, 'pass', name);

    await expectFail(withL1({}, { rpcUrls: ['http://127.0.0.1:9'] }).l1, 'l1-rpc', /does not answer/);
    await expectFail(withL1({}, { chainId: 1 }).l1, 'l1-chain-id', /L1 is chain 31337, --l1\.chain-id says 1/);
    const elsewhere = join(dir, 'elsewhere.json');
    writeDeploymentFile(elsewhere, { ...env.deployment, addresses: { ...env.deployment.addresses, rollup: '0x000000000000000000000000000000000000dEaD' } });
    await expectFail(withL1({}, { deploymentFile: elsewhere }).l1, 'l1-contracts', /no contract code at rollup 0x000000000000000000000000000000000000dEaD/);

    const id = await env.snapshot();
    try {
      await anvilRpc.mineAt(env.anvil.url, BigInt(Math.floor(Date.now() / 1000) + 3600));
      await expectFail(healthy, 'clock-skew', /3\d{3} s behind the L1 head's timestamp/);
    } finally {
      await env.revert(id);
    }
  });

  it('archiver-sync fails when the archiver trails the L1 head, passes once synced', async () => {
    const store = new ArchiverStore(join(dir, 'archiver.lmdb'));
    const archiver = new Archiver(env.client, env.deployment, store, { batchSize: 100, pollingIntervalMs: 1000 }, silentLogger());
    const rpc = new JsonRpcServer({ maxBodyBytes: 1 << 20, logger: silentLogger() });
    registerArchiverRpc(rpc, archiver);
    const server = createServer((req, res) => void rpc.handleHttp(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const id = await env.snapshot();
    try {
      await archiver.sync();
      await anvilRpc.mineAt(env.anvil.url, (await env.client.getBlock()).timestamp + 900n);
      const { ctx } = withL1({ url });
      const checks = archiverPlugin.checks!(ctx as never);
      await expectFail(checks, 'archiver-sync', /behind the head/);
      await archiver.sync();
      assert.equal((await run(checks, 'archiver-sync')).status, 'pass');
    } finally {
      await env.revert(id);
      await new Promise((r) => server.close(r));
      await store.close();
    }
  });

  it('publisher-funds and bond fail for a key without ETH or bond tokens, and for a bond below the Rollup minimum', async () => {
    const config = (key: string, bond = 1000n) => ({ publisherPrivateKey: key, 'quote.bondAmount': bond, 'quote.basisPointFee': 100 });
    const funded = withL1(config(KEYS[2]!));
    const fundedChecks = proverNodePlugin.checks!(funded.ctx as never);
    assert.equal((await run(fundedChecks, 'publisher-funds')).status, 'pass');
    assert.notEqual((await run(fundedChecks, 'bond')).status, 'fail');

    const empty = withL1(config(generatePrivateKey()));
    const emptyChecks = proverNodePlugin.checks!(empty.ctx as never);
    await expectFail(emptyChecks, 'publisher-funds', /holds 0 ETH/);
    await expectFail(emptyChecks, 'bond', /escrow deposit 0, 0 more bond tokens/);

    const small = withL1(config(KEYS[2]!, 10n));
    await expectFail(proverNodePlugin.checks!(small.ctx as never), 'bond', /the Rollup's minimum is 100/);
  });

  it('vks fails when the circuits are not the ones the Rollup was deployed with; crs and bb fail when missing or broken', async () => {
    const simulated = withL1({ backend: 'simulated', crs: 'dev' });
    await expectFail(circuitProverPlugin.checks!(simulated.ctx as never), 'vks', /the Rollup expects 0x1234/);

    const native = withL1({ backend: 'native', crs: 'dev' });
    const nativeChecks = circuitProverPlugin.checks!(native.ctx as never);
    await expectFail(nativeChecks, 'crs', /bn254_g1\.dat does not exist/);
    const crsDir = join(native.ctx.core.dataDir, 'crs', 'dev');
    mkdirSync(crsDir, { recursive: true });
    writeFileSync(join(crsDir, 'bn254_g1.dat'), Buffer.alloc(256, 7));
    await expectFail(nativeChecks, 'crs', /does not start with the BN254 generator/);

    assert.equal((await run(nativeChecks, 'bb')).status, 'pass', 'the shipped bb runs');
    process.env.BB_PATH = '/bin/false';
    try {
      await expectFail(nativeChecks, 'bb', /--version failed/);
    } finally {
      delete process.env.BB_PATH;
    }
  });

  it('broker checks fail on a wrong token, no broker, and no agents; pass once an agent polls', async () => {
    const broker = new ProvingBroker({ database: new MemoryBrokerDatabase(), logger: silentLogger() });
    await broker.start();
    const server = await startProvingBrokerServer({ broker, logger: silentLogger(), authToken: 'right-token-123' });
    try {
      const checks = (token: string | undefined, url = server.url) => brokerChecks({ url: async () => url, token, tokenFlag: '--prover-node.broker-auth-token' }, { agents: true });
      await expectFail(checks('wrong-token-456'), 'broker', /refuses the configured token/);
      await expectFail(checks(undefined), 'broker', /refuses requests without a token/);
      await expectFail(checks('right-token-123', 'http://127.0.0.1:9'), 'broker', /no broker answers/);
      assert.equal((await run(checks('right-token-123'), 'broker')).status, 'pass');
      await expectFail(checks('right-token-123'), 'agents', /no agent asked the broker/);
      await broker.getProvingJob({ agentId: 'agent-1' });
      const agents = await run(checks('right-token-123'), 'agents');
      assert.equal(agents.status, 'pass');
      assert.match(agents.detail, /1 agent\(s\) seen \(agent-1\)/);
    } finally {
      await server.close();
      await broker.stop();
    }
  });
});
