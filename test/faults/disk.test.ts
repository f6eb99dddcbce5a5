// Fault injection: the data directory's disk is full at start, read-only, or fills up while the
// node runs (a tmpfs of its own, filled by a ballast file). Each fault is reproduced for real; the
// node must name the path and the cause, stop every role in order, and lose nothing it committed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedEnv, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { localNetworkInfo, metric, waitFor } from '../e2e/helpers.js';
import { fillDisk, freeDisk, logLines, startTmpfs, tmpfsUnavailable, type Tmpfs } from './helpers.js';

const skip = tmpfsUnavailable();

describe('disk faults', { skip }, () => {
  it('a full data directory at start is refused, naming the path and the cause', async () => {
    const disk = await startTmpfs(16);
    try {
      fillDisk(disk.hostPath('ballast'));
      const r = await runCli(['start', '--prover-broker', '--port', '0', '--data-dir', disk.dir], isolatedEnv(), 60_000, { wrap: disk.wrap });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`${disk.dir}: the data directory is not usable: no space left on its device`));
      assert.doesNotMatch(r.stderr, /Input\/output error/);
    } finally {
      await disk.stop();
    }
  });

  it('a read-only data directory is named as read-only', async () => {
    const disk = await startTmpfs(16, { readOnly: true });
    try {
      const r = await runCli(['start', '--prover-broker', '--port', '0', '--data-dir', disk.dir], isolatedEnv(), 60_000, { wrap: disk.wrap });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`${disk.dir}: the data directory is not usable: it is on a read-only filesystem`));
    } finally {
      await disk.stop();
    }
  });

  describe('a disk that fills while the node runs', () => {
    let l1: RunningCli;
    let env: NodeJS.ProcessEnv;
    let disk: Tmpfs;
    let joinFlags: string[];

    before(async () => {
      // L1 in a process of its own on the normal disk, so that it outlives the node's restarts
      env = isolatedEnv();
      l1 = await startCli(['--local-network', '--port', '0', '--local-network.anvil-port', '0', '--local-network.slot-duration', '3', '--local-network.epoch-duration', '16', '--local-network.claim-window', '16', '--local-network.proof-submission-window', '32'], env, 90_000);
      const info = localNetworkInfo(l1, env.DATA_DIRECTORY!);
      joinFlags = ['--l1.rpc-urls', info.l1Url, '--l1.deployment', info.deploymentFile, '--l1-client.genesis-file', info.genesisFile];
      disk = await startTmpfs(96);
    });
    after(async () => {
      await l1?.stop();
      await disk?.stop();
    });

    const node = () =>
      startCli(
        [
          ...joinFlags, '--port', '0', '--data-dir', disk.dir,
          '--sequencer', '--bot', '--bot.tx-interval-ms', '500', '--bot.message-interval-ms', '0', '--sequencer.min-seconds-left-in-slot', '1',
          '--archiver', '--archiver.polling-interval-ms', '200', '--prover-broker',
        ],
        isolatedEnv(),
        90_000,
        { wrap: disk.wrap },
      );

    it('stops every role in order with one fatal line naming the path; a restart with space keeps what was committed', async () => {
      const first = await node();
      await waitFor('two blocks', async () => (await metric(first.port, 'quetzal_archiver_latest_l2_block')) >= 2, 90_000, first.logs);
      const committedL1Block = await metric(first.port, 'quetzal_archiver_synced_l1_block');

      // the fault: the disk fills up under the running node
      const ballast = fillDisk(disk.hostPath('ballast'));
      const code = await Promise.race([first.exited, new Promise((r) => setTimeout(() => r('still running'), 90_000))]);
      assert.equal(code, 1, `the node exits non-zero once its disk is full\n${first.logs().slice(-4000)}`);
      const lines = logLines(first.logs());
      const fatal = lines.filter((l) => l.level === 60);
      assert.equal(fatal.length, 1, `one fatal line:\n${JSON.stringify(fatal)}`);
      assert.match(String(fatal[0]!.msg), new RegExp(`^${disk.dir}.*: storage failure: no space left on its device`));
      for (const plugin of ['sequencer', 'tx-pool', 'archiver', 'prover-broker', 'world-state']) {
        assert.ok(lines.some((l) => l.module === plugin && l.msg === 'stopped'), `${plugin} stopped in order\n${first.logs().slice(-6000)}`);
      }
      // Node's own report of an unhandled rejection is raw text; our fatal line (JSON) may carry the stack it came through
      const raw = first.logs().split('\n').map((l) => l.replace(/\{"level".*$/, '')).filter((l) => /unhandled|UnhandledPromiseRejection/i.test(l));
      assert.deepEqual(raw, [], 'no raw unhandled rejection');

      // space again: the node resumes from what it had committed
      freeDisk(ballast);
      const second = await node();
      try {
        const resumed = logLines(second.logs()).find((l) => l.module === 'archiver' && l.msg === 'archiver starting');
        assert.ok(Number(resumed?.resumeFromL1Block) >= committedL1Block, `the archiver resumes at L1 block ${resumed?.resumeFromL1Block}, at or after ${committedL1Block}`);
        const before = await metric(second.port, 'quetzal_archiver_latest_l2_block');
        await waitFor('a new block after the restart', async () => (await metric(second.port, 'quetzal_archiver_latest_l2_block')) > before, 60_000, second.logs);
        assert.doesNotMatch(second.logs(), /does not match|mismatch/i, 'the world state agrees with the chain');
      } finally {
        await second.stop();
      }
    });
  });
});
