// A failed epoch's bundle and its replay: an epoch whose base circuits are handed a tx VK that is
// not the one in the VK tree fails at the broker; its bundle holds the epoch's blocks, txs,
// messages, job state and every circuit's inputs; `quetzal epoch replay` proves them again on a
// fresh broker and reports the same circuit failing with the same error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { simulatedVk } from '@quetzal/protocol/circuits/vk-tree';
import { EpochProvingJob, RecordingProducer, readFailedEpochBundle, writeFailedEpochBundle } from '@quetzal/prover-node';
import { runCli, isolatedEnv } from '../helpers/cli.js';
import { addBlock, blockProcessor, ChainBlockSource, keys, MapTxProvider, newChain, PROVER_ID, syncedWorldState, type Chain } from './epoch-fixture.js';
import { startStack, type Stack } from './stack.js';

let chain: Chain;
let stack: Stack;
let ws: Awaited<ReturnType<typeof syncedWorldState>>;
let dir: string;

before(async () => {
  await ensureCircuitsBuilt();
  chain = newChain();
  await addBlock(chain, 2, 5);
  stack = await startStack({ agents: 1 });
  ws = await syncedWorldState(chain);
  dir = mkdtempSync(join(tmpdir(), 'qz-failed-epoch-'));
});
after(async () => {
  await stack?.stop();
  await ws?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a failing circuit: the job fails, its bundle is written, and the replay reports the same circuit and error', async () => {
  const recorder = new RecordingProducer(stack.producer);
  const job = new EpochProvingJob({
    epochNumber: 1,
    fromBlock: 1,
    toBlock: 1,
    // the merge circuit's VK where the tx circuit's belongs: the base circuit's VK-tree check fails
    blocks: blockProcessor({ chain, worldState: ws.sync, keys: { ...keys, txVerificationKey: simulatedVk('merge') } }),
    producer: recorder,
    keys,
    proverId: PROVER_ID,
    publisher: { publish: async () => assert.fail('nothing to publish') },
    pollMs: 100,
  });
  assert.equal(await job.run(), 'failed');
  assert.match(job.getStatus().error!, /proving job 1:base:[0-9a-f]{64} failed/);

  const file = await writeFailedEpochBundle({ dir, job, recorder, blockSource: new ChainBlockSource(chain), txProvider: new MapTxProvider(chain.txs) });
  const bundle = readFailedEpochBundle(file);
  assert.equal(bundle.status.state, 'failed');
  assert.equal(bundle.blocks.length, 1);
  assert.equal(L2Block.fromBytes(bundle.blocks[0]!).headerHash(), chain.blocks[0]!.headerHash(), 'the block round-trips');
  assert.deepEqual(bundle.messages[0], chain.messages[1]);
  assert.equal(bundle.txs.length, 2);
  const types = bundle.jobs.map((j) => j.job.type);
  assert.ok(types.includes('base') && types.includes('parity-base'), `recorded jobs: ${types.join(', ')}`);
  const recorded = bundle.jobs.find((j) => j.status.status === 'rejected');
  assert.ok(recorded, 'the failed circuit is recorded with its rejection');
  assert.equal(recorded.job.type, 'base');
  const recordedReason = (recorded.status as { reason: string }).reason;

  const r = await runCli(['epoch', 'replay', file, '--circuit-prover.backend', 'simulated'], isolatedEnv(), 120_000);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /epoch 1 \(blocks 1\.\.1\) ended failed/);
  const m = /first failing circuit: (\S+) \((\S+)\)\nerror: (.+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(m[1], 'base');
  assert.equal(m[2], recorded.job.id, 'the same circuit, with the same inputs');
  assert.ok(recordedReason.includes(m[3]!) || m[3]!.includes(recordedReason), `the same error:\nreplayed: ${m[3]}\nrecorded: ${recordedReason}`);
});

test('a file that is not a bundle is refused with the reason', async () => {
  const r = await runCli(['epoch', 'replay', join(dir, 'nope.json')], isolatedEnv());
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read the failed-epoch bundle .*nope\.json/);
});
