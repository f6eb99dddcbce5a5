// `quetzal start --local-network --sequencer --bot --archiver`: the bot's txs become blocks on L1,
// and the archiver serves them (JSON-RPC) exactly as L1 stores them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createPublicClient, http } from 'viem';
import { readDeploymentFile, RollupContract } from '@quetzal/l1';
import { createArchiverClient } from '@quetzal/archiver';
import { createNodeClient } from '@quetzal/sequencer';
import { isolatedEnv, runCli, startCli, type RunningCli } from '../helpers/cli.js';

describe('local network', () => {
  let cli: RunningCli;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    env = isolatedEnv();
    cli = await startCli(
      [
        '--local-network', '--sequencer', '--bot', '--archiver', '--port', '0',
        '--local-network.anvil-port', '0', '--local-network.slot-duration', '3',
        // long epoch and claim window: nothing is pruned while the test looks (no prover runs here)
        '--local-network.epoch-duration', '16', '--local-network.claim-window', '16', '--local-network.proof-submission-window', '16',
        '--bot.tx-interval-ms', '700', '--bot.message-interval-ms', '2000', '--archiver.polling-interval-ms', '200', '--sequencer.min-seconds-left-in-slot', '1',
      ],
      env,
      90_000,
    );
  });
  after(async () => {
    await cli?.stop();
  });

  it('produces blocks on L1 that the archiver serves', async () => {
    const url = `http://127.0.0.1:${cli.port}`;
    const archiver = createArchiverClient(url);
    const deadline = Date.now() + 60_000;
    while ((await archiver.getBlockNumber()) < 2) {
      assert.ok(Date.now() < deadline, `no 2 blocks within 60 s:\n${cli.logs().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const banner = /L1 \(anvil\)\s+(http:\/\/\S+)/.exec(cli.logs());
    assert.ok(banner, 'the L1 URL is printed');
    assert.match(cli.logs(), /deployment file: /);
    const deployment = readDeploymentFile(join(env.DATA_DIRECTORY!, 'local-network', 'l1-deployment.json'));
    const rollup = new RollupContract(createPublicClient({ transport: http(banner[1]), cacheTime: 0 }), deployment.addresses.rollup);
    const node = createNodeClient(url);
    for (const n of [1, 2]) {
      const block = (await archiver.getBlock(n))!;
      const onL1 = await rollup.getBlock(n);
      assert.equal(block.headerHash(), onL1.headerHash, `block ${n}: the archiver's header is the one L1 stores`);
      assert.equal(block.archive.root, onL1.archive);
      assert.ok(block.body.numTxs >= 1);
      const txs = await node.getTxsByHash(block.body.txEffects.map((e) => e.txHash));
      assert.ok(txs.every((tx) => tx !== undefined), 'the sequencer serves the mined txs by hash');
    }
    // another process joins through the deployment file: a bot sending to this node over JSON-RPC
    const dir = join(env.DATA_DIRECTORY!, 'local-network');
    const joined = await startCli(
      ['--bot', '--bot.node-url', url, '--bot.message-interval-ms', '0', '--bot.tx-interval-ms', '300', '--port', '0',
        '--l1.rpc-urls', banner[1]!, '--l1.deployment', join(dir, 'l1-deployment.json'), '--l1-client.genesis-file', join(dir, 'genesis.json')],
      isolatedEnv(),
      60_000,
    );
    try {
      const until = Date.now() + 30_000;
      while (!/"msg":"bot sent a tx"/.test(joined.logs())) {
        assert.ok(Date.now() < until, `the joined bot sent nothing:\n${joined.logs().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      const hash = /"tx":"(0x[0-9a-f]+)","prover":"simulated","msg":"bot sent a tx"/.exec(joined.logs())![1]!;
      assert.ok(await node.getTxByHash(BigInt(hash)), 'the node holds the tx the other process sent');
    } finally {
      await joined.stop();
    }

    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /quetzal_archiver_latest_l2_block [1-9]/);
    assert.match(metrics, /quetzal_sequencer_blocks_proposed_total [1-9]/);
  });

  it('names the missing flag when a role needs L1 and there is neither a local network nor a deployment', async () => {
    const r = await runCli(['start', '--archiver', '--port', '0'], isolatedEnv());
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /no L1 deployment file: pass --l1\.deployment FILE/);
  });
});
