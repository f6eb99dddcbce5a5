// Roles in two processes: one runs the local network and the archiver; the other joins L1 through the
// deployment file and runs the sequencer and the bot against the first one's archiver (--archiver.url).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createL2BlockSourceClient } from '@quetzal/protocol/l2-block-source';
import { createNodeClient } from '@quetzal/protocol/node-api';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';

describe('sequencer in another process than the archiver', () => {
  const running: RunningCli[] = [];

  before(async () => {
    const env = isolatedEnv();
    const l1 = await startCli(
      ['--local-network', '--archiver', '--port', '0', '--local-network.anvil-port', '0', '--local-network.slot-duration', '3',
        '--local-network.epoch-duration', '16', '--local-network.claim-window', '16', '--local-network.proof-submission-window', '16', '--archiver.polling-interval-ms', '200'],
      env,
      90_000,
    );
    running.push(l1);
    const anvil = /L1 \(anvil\)\s+(http:\/\/\S+)/.exec(l1.logs())![1]!;
    const dir = join(env.DATA_DIRECTORY!, 'local-network');
    running.push(
      await startCli(
        ['--sequencer', '--bot', '--archiver.url', `http://127.0.0.1:${l1.port}`, '--port', '0', '--bot.tx-interval-ms', '700', '--bot.message-interval-ms', '0',
          '--sequencer.min-seconds-left-in-slot', '1', '--l1.rpc-urls', anvil, '--l1.deployment', join(dir, 'l1-deployment.json'), '--l1-client.genesis-file', join(dir, 'genesis.json')],
        isolatedEnv(),
        60_000,
      ),
    );
  });
  after(async () => {
    for (const r of running.reverse()) await r.stop();
  });

  it('builds blocks on the remote archiver\'s view of L1, which serves them back', async () => {
    const [l1, seq] = running as [RunningCli, RunningCli];
    assert.match(seq.logs(), /"msg":"using a remote archiver"/);
    const archiver = createL2BlockSourceClient(`http://127.0.0.1:${l1.port}`);
    const deadline = Date.now() + 60_000;
    // block 3 is built on the world state synced (through the remote archiver) to block 2
    while ((await archiver.getBlockNumber()) < 3) {
      assert.ok(Date.now() < deadline, `no 3 blocks within 60 s:\n${seq.logs().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const node = createNodeClient(`http://127.0.0.1:${seq.port}`);
    const block = (await archiver.getBlock(3))!;
    const txs = await node.getTxsByHash(block.body.txEffects.map((e) => e.txHash));
    assert.ok(txs.length > 0 && txs.every((t) => t !== undefined), 'the sequencer serves the txs of the block the archiver holds');
  });
});
