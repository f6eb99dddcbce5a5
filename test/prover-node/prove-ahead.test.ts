// Prove-ahead without L1: the block processor validates each block and its sub-tree goes to the
// broker as speculative work; the claimed epoch's job then re-uses every one of those proofs
// (the same inputs: the same job ids) and proves only the block merges and the root. A block that
// leaves the chain cancels its jobs; a lost epoch cancels the rest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCircuitInputs } from '@quetzal/protocol/circuits/encoding';
import { EpochProvingJob, ProveAhead } from '@quetzal/prover-node';
import { addBlock, blockProcessor, ChainBlockSource, expectedRootPublicInputs, keys, newChain, PROVER_ID, syncedWorldState, type Chain } from './epoch-fixture.js';
import { startEpochTestEnv, type EpochTestEnv, type Stack } from './stack.js';
import { until } from '../broker/helpers.js';

let env: EpochTestEnv;
let chain: Chain;
let stack: Stack;
let ws: EpochTestEnv['ws'];

// epoch 0 (slots 11, 12 with 1000-slot epochs): two blocks with txs and messages
before(async () => ({ chain, stack, ws } = env = await startEpochTestEnv([[3, 2], [2, 0]])));
after(() => env?.stop());

test('validated blocks are proven ahead; the claimed job re-uses every block-level proof and proves only the root', async () => {
  stack.enqueued.length = 0;
  const proveAhead = new ProveAhead({ producer: stack.producer, vkTree: keys.vkTree, pollMs: 50 });
  const processor = blockProcessor({ chain, worldState: ws.sync, onValidated: (x) => proveAhead.blockValidated(x), onDropped: (x) => proveAhead.blockDropped(x) });
  await processor.sync();
  const blockRoots = () => stack.enqueued.filter((j) => j.type === 'block-root');
  await until(() => blockRoots().length === 2, 20_000, 'both blocks proven ahead up to their block-root');
  await until(async () => (await Promise.all(blockRoots().map((j) => stack.broker.getProvingJobStatus(j.id)))).every((s) => s.status === 'fulfilled'), 20_000, 'both block-roots proven');
  const speculative = stack.enqueued;
  assert.ok(speculative.every((j) => j.speculative === true), 'prove-ahead work is speculative');
  assert.deepEqual(new Set(speculative.map((j) => j.type)), new Set(['parity-base', 'parity-root', 'base', 'merge', 'block-root']), 'the block sub-trees only: no block merge, no root');
  const ahead = new Set(speculative.map((j) => j.id));

  // the claim: the job feeds the same executions into the epoch's tree
  const provenBlockRoots = await proveAhead.claimed(0);
  assert.deepEqual([...provenBlockRoots.keys()], [1, 2], 'the claim hands over both block-roots proven ahead');
  const proved = stack.proved();
  stack.enqueued.length = 0;
  let published: bigint[] | undefined;
  const job = new EpochProvingJob({
    epochNumber: 0, fromBlock: 1, toBlock: 2, blocks: processor, producer: stack.producer, keys, proverId: PROVER_ID, pollMs: 50,
    publisher: { publish: async (r) => ((published = r.root.publicInputs), {}) },
  });
  assert.equal(await job.run(), 'completed', job.getStatus().error);
  assert.deepEqual(published, expectedRootPublicInputs(chain, 1, 2).toFields());
  const claimedIds = new Set(stack.enqueued.filter((j) => j.type !== 'root').map((j) => j.id));
  assert.deepEqual(claimedIds, ahead, 'the claimed tree below the root is exactly what was proven ahead (byte-identical inputs)');
  assert.ok(stack.enqueued.every((j) => j.speculative === undefined), 'claimed work');
  assert.equal(stack.proved() - proved, 1, 'only the root was proven after the claim');
  assert.equal(job.getStatus().jobs.reused, job.getStatus().jobs.done - 1);

  // given the block-roots proven ahead, a claim's job skips the blocks' sub-trees altogether; a
  // block-root whose archive root is not the block's (another block at that height) is not used
  const rerun = async (roots: typeof provenBlockRoots) => {
    stack.enqueued.length = 0;
    const j = new EpochProvingJob({
      epochNumber: 0, fromBlock: 1, toBlock: 2, blocks: processor, producer: stack.producer, keys, proverId: PROVER_ID, pollMs: 50, provenBlockRoots: roots,
      publisher: { publish: async (r) => ((published = r.root.publicInputs), {}) },
    });
    assert.equal(await j.run(), 'completed', j.getStatus().error);
    assert.deepEqual(published, expectedRootPublicInputs(chain, 1, 2).toFields());
    return stack.enqueued.map((e) => e.type).sort();
  };
  assert.deepEqual(await rerun(provenBlockRoots), ['root']);
  const stale = new Map(provenBlockRoots);
  stale.set(2, { ...stale.get(2)!, archiveRoot: 12345n });
  assert.ok((await rerun(stale)).includes('block-root'), "block 2's sub-tree is fed again");
});

test('a block that leaves the chain cancels its speculative jobs; a lost epoch cancels the rest', async () => {
  // epoch 2 (slots 2001, 2002): other jobs than the first test's
  const c = newChain();
  await addBlock(c, 2, 1, { slot: 2001n, timestamp: 1_800_000_000n });
  await addBlock(c, 2, 1, { slot: 2002n, timestamp: 1_800_000_036n });
  const ws2 = await syncedWorldState(c);
  await Promise.all(stack.agents.map((a) => a.stop())); // nothing is proven: the jobs stay queued
  try {
    stack.enqueued.length = 0;
    const proveAhead = new ProveAhead({ producer: stack.producer, vkTree: keys.vkTree, pollMs: 50 });
    let served = 2;
    const source = new (class extends ChainBlockSource {
      override async getBlockNumber() {
        return served;
      }
    })(c);
    const processor = blockProcessor({ chain: c, blockSource: source, worldState: ws2.sync, onValidated: (x) => proveAhead.blockValidated(x), onDropped: (x) => proveAhead.blockDropped(x) });
    await processor.sync();
    await until(() => stack.enqueued.filter((j) => j.type === 'base').length === 4, 20_000, 'the bases of both blocks at the broker');
    const ofBlock = (n: number) => stack.enqueued.filter((j) => j.type === 'base' && inputsOfBlock(j.inputs) === n).map((j) => j.id);
    const [two, one] = [ofBlock(2), ofBlock(1)];
    assert.equal(two.length, 2);
    // block 2 leaves the chain (a prune or an L1 reorg): its jobs go
    served = 1;
    await processor.sync();
    await until(async () => (await Promise.all(two.map((id) => stack.broker.getProvingJobStatus(id)))).every((s) => s.status === 'not-found'), 20_000, "block 2's jobs cancelled");
    for (const id of one) assert.equal((await stack.broker.getProvingJobStatus(id)).status, 'in-queue', "block 1's jobs stay");
    // the epoch went to another prover
    assert.deepEqual(proveAhead.epochsInFlight(), [2]);
    await proveAhead.lost(2, 'claimed by another prover');
    for (const id of one) assert.equal((await stack.broker.getProvingJobStatus(id)).status, 'not-found', 'cancelled with the epoch');
    assert.deepEqual(proveAhead.epochsInFlight(), []);
  } finally {
    for (const a of stack.agents) a.start();
    await ws2.close();
  }
});

/** The block number a base job's inputs are for (their block constants). */
function inputsOfBlock(inputs: Uint8Array): number {
  return Number(decodeCircuitInputs('base', inputs).constants.globalVariables.blockNumber);
}
