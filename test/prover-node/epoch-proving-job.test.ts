// The epoch proving job without L1: archiver blocks, full txs, an LMDB world state, the in-process
// broker and agents with the simulated prover. The root it proves must equal the epoch's public
// inputs computed independently from the headers.
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { BlockHeader } from '@quetzal/protocol/block/header';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import { rootOutputsToPublicInputs } from '@quetzal/protocol/circuits/convert';
import type { WorldStateSynchronizer } from '@quetzal/protocol/world-state';
import { EmptyParityProofs, EpochProvingJob, type EpochProofPublisher, type PublishRequest } from '@quetzal/prover-node';
import { addBlock, blockProcessor, ChainBlockSource, expectedRootPublicInputs, keys, MapTxProvider, newChain, PROVER_ID, syncedWorldState, type Chain } from './epoch-fixture.js';
import { startEpochTestEnv, type EpochTestEnv, type Stack } from './stack.js';

class CapturingPublisher implements EpochProofPublisher {
  published: PublishRequest[] = [];
  async publish(r: PublishRequest) {
    this.published.push(r);
    return { txHash: `0xproof${r.epoch}` };
  }
}

let env: EpochTestEnv;
let chain: Chain;
let stack: Stack;
let ws: EpochTestEnv['ws'];

// epoch 1: blocks 1-2 (3 txs each); epoch 2: blocks 3-5 (0, 2, 1 txs); epoch 3: block 6
before(async () => ({ chain, stack, ws } = env = await startEpochTestEnv([[3, 6], [3, 7], [0, 0], [2, 16], [1, 3], [1, 1]])));
after(() => env?.stop());

type Parts = Partial<Parameters<typeof blockProcessor>[0]>;

/** A job over a fresh block processor (so every block is re-executed, through `parts`). */
function job(epochNumber: number, fromBlock: number, toBlock: number, extra: Partial<ConstructorParameters<typeof EpochProvingJob>[0]> & Parts = {}) {
  const publisher = new CapturingPublisher();
  const { blockSource, worldState, txProvider, ...rest } = extra;
  const j = new EpochProvingJob({
    epochNumber,
    fromBlock,
    toBlock,
    blocks: blockProcessor({ chain, worldState: worldState ?? ws.sync, ...(blockSource && { blockSource }), ...(txProvider && { txProvider }) }),
    producer: stack.producer,
    keys,
    proverId: PROVER_ID,
    publisher,
    pollMs: 200,
    ...rest,
  });
  return { job: j, publisher };
}

test('epoch of 2 blocks x 3 txs with messages: the root public inputs equal the independent computation', async () => {
  stack.events.length = 0;
  stack.enqueued.length = 0;
  // record when each tx is applied to the fork, to see proving overlap processing
  const forking: WorldStateSynchronizer = Object.create(ws.sync);
  forking.fork = async (n?: number) => {
    const fork = await ws.sync.fork(n);
    const insert = fork.insertNullifiers.bind(fork);
    fork.insertNullifiers = async (v) => {
      stack.events.push('tx');
      await new Promise((r) => setTimeout(r, 30)); // a slower tx processor: proving must not wait for it
      return insert(v);
    };
    return fork;
  };
  const { job: j, publisher } = job(1, 1, 2, { worldState: forking });
  assert.equal(await j.run(), 'completed', j.getStatus().error);
  const expected = expectedRootPublicInputs(chain, 1, 2);
  assert.equal(publisher.published.length, 1);
  const root = publisher.published[0]!.root;
  assert.equal(root.circuit, 'root');
  assert.deepEqual(root.publicInputs, expected.toFields());
  assert.deepEqual(rootOutputsToPublicInputs(root.publicOutputs).toFields(), expected.toFields());

  // every circuit of the tree: 2 x (2 parity-base + parity-root + 3 base + 2 merge + block-root) + root, where
  // the message-free second slices of both blocks are one parity-base (the same inputs: one job id)
  const count = (t: string) => new Set(stack.enqueued.filter((j) => j.type === t).map((j) => j.id)).size;
  assert.deepEqual(
    { pb: count('parity-base'), pr: count('parity-root'), base: count('base'), merge: count('merge'), br: count('block-root'), root: count('root') },
    { pb: 3, pr: 2, base: 6, merge: 4, br: 2, root: 1 },
  );
  // each job names the circuits on its path to the root (the broker's scheduling key)
  const paths = new Map<string, number>();
  for (const e of stack.enqueued) {
    const key = `${e.type} < ${(e.pathToRoot ?? []).join(' < ')}`;
    paths.set(key, (paths.get(key) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(paths), {
    'parity-base < parity-root < block-root < root': 4,
    'parity-root < block-root < root': 2,
    'base < merge < merge < block-root < root': 4,
    'base < merge < block-root < root': 2,
    'merge < merge < block-root < root': 2,
    'merge < block-root < root': 2,
    'block-root < root': 2,
    'root < ': 1,
  });
  assert.ok(stack.enqueued.every((e) => e.speculative === undefined), 'claimed work');
  // the first parity and base jobs went out while the txs were processed (a job goes out a turn of
  // the event loop after it is made: the parity jobs after the first tx, before the second)
  const lastTx = stack.events.lastIndexOf('tx');
  assert.ok(stack.events.indexOf('enqueue:parity-base') < stack.events.indexOf('tx', stack.events.indexOf('tx') + 1), stack.events.join(' '));
  assert.ok(stack.events.indexOf('enqueue:base') < lastTx, stack.events.join(' '));
  assert.ok(stack.events.indexOf('enqueue:merge') < lastTx, `a merge of block 1 goes out while block 2 is processed: ${stack.events.join(' ')}`);
  const s = j.getStatus();
  assert.ok(s.jobs.done >= 18, `${s.jobs.done} jobs done`);
  assert.equal(s.jobs.queued + s.jobs.proving, 0);
  assert.equal(s.proofTxHash, '0xproof1');
});

test('a second job for the same epoch re-uses every finished proof (deterministic job ids)', async () => {
  const proved = stack.proved();
  const { job: j, publisher } = job(1, 1, 2);
  assert.equal(await j.run(), 'completed', j.getStatus().error);
  assert.equal(stack.proved(), proved, 'no circuit was proved again');
  assert.equal(j.getStatus().jobs.reused, 19);
  assert.deepEqual(publisher.published[0]!.root.publicInputs, expectedRootPublicInputs(chain, 1, 2).toFields());
});

test('epochs after the first: 3 blocks with an empty one (block-root-empty, block-merge, root) and 1 block (root-single)', async () => {
  const three = job(2, 3, 5);
  const one = job(3, 6, 6);
  const [a, b] = await Promise.all([three.job.run(), one.job.run()]);
  assert.equal(a, 'completed', three.job.getStatus().error);
  assert.equal(b, 'completed', one.job.getStatus().error);
  assert.equal(three.publisher.published[0]!.root.circuit, 'root');
  assert.deepEqual(three.publisher.published[0]!.root.publicInputs, expectedRootPublicInputs(chain, 3, 5).toFields());
  assert.equal(one.publisher.published[0]!.root.circuit, 'root-single');
  assert.deepEqual(one.publisher.published[0]!.root.publicInputs, expectedRootPublicInputs(chain, 6, 6).toFields());
});

test('prove-ahead: an epoch proven as speculative work, then promoted as a whole', async () => {
  stack.enqueued.length = 0;
  const { job: j } = job(4, 6, 6, { speculative: true, rootCircuit: 'root-single' });
  assert.equal(await j.run(), 'completed', j.getStatus().error);
  assert.ok(stack.enqueued.length > 0 && stack.enqueued.every((e) => e.speculative === true), 'every job enqueued as speculative');
  assert.equal(await stack.producer.promoteProvingJobs(4), new Set(stack.enqueued.map((e) => e.id)).size);
  assert.equal(await stack.producer.cancelSpeculativeProvingJobs(4), 0, 'nothing speculative left to cancel');
});

test('root-single on top of every epoch (one L1 verifier): 3 blocks through a block-merge tree', async () => {
  const { job: j, publisher } = job(2, 3, 5, { rootCircuit: 'root-single' });
  assert.equal(await j.run(), 'completed', j.getStatus().error);
  const root = publisher.published[0]!.root;
  assert.equal(root.circuit, 'root-single');
  assert.deepEqual(root.publicInputs, expectedRootPublicInputs(chain, 3, 5).toFields());
});

test('a header that does not match the re-executed block fails the job, naming the block and the field', async () => {
  const wrongFees = (b: L2Block) => {
    if (b.number !== 4n) return b;
    const h = b.header;
    return new L2Block(new BlockHeader(h.lastArchive, h.contentCommitment, h.state, h.globalVariables, h.totalFees + 1n), b.body, b.archive);
  };
  const { job: j, publisher } = job(2, 3, 5, { blockSource: new ChainBlockSource(chain, wrongFees) });
  assert.equal(await j.run(), 'failed');
  assert.match(j.getStatus().error ?? '', /^block 4: the rebuilt header\.totalFees is 0x[0-9a-f]+, the archiver's block has 0x[0-9a-f]+$/);
  assert.equal(publisher.published.length, 0);
});

test('a tx no provider has fails the job naming the tx, its block and the sources tried', async () => {
  const missing = chain.blocks[5]!.body.txEffects[0]!.txHash;
  const txs = new Map(chain.txs);
  txs.delete(missing);
  const { job: j } = job(3, 6, 6, { txProvider: new MapTxProvider(txs) });
  assert.equal(await j.run(), 'failed');
  assert.equal(j.getStatus().error, `block 6: 1 of its ${chain.blocks[5]!.body.numTxs} txs were not found: 0x${missing.toString(16)}; sources tried: the tx provider`);
});

test('the job ends as timed-out at its deadline and as stopped when stopped', async () => {
  await Promise.all(stack.agents.map((a) => a.stop())); // nobody proves: the job can only wait
  try {
    const c2 = newChain();
    await addBlock(c2, 2, 1);
    const ws2 = await syncedWorldState(c2);
    try {
      const base = { epochNumber: 9, fromBlock: 1, toBlock: 1, blocks: blockProcessor({ chain: c2, worldState: ws2.sync }), producer: stack.producer, keys, proverId: PROVER_ID, publisher: new CapturingPublisher(), pollMs: 50 };
      const timed = new EpochProvingJob({ ...base, deadline: Date.now() + 300 });
      assert.equal(await timed.run(), 'timed-out');
      assert.match(timed.getStatus().error ?? '', /not proven before its deadline/);
      const stopped = new EpochProvingJob(base);
      const running = stopped.run();
      await new Promise((r) => setTimeout(r, 100));
      await stopped.stop('reorged', 'block 1 left the chain');
      assert.equal(await running, 'reorged');
      assert.equal(ws2.db.openForkCount, 0, 'the fork was closed on the way out');
    } finally {
      await ws2.close();
    }
  } finally {
    for (const a of stack.agents) a.start();
  }
});

test("message-free parity is proven once per VK tree and kept: npm start's epoch shape (3 blocks of 1 tx, one message) costs 11 proofs, not 13", async () => {
  const c = newChain();
  await addBlock(c, 1, 1, { slot: 3001n, timestamp: 1_900_000_000n });
  await addBlock(c, 1, 0, { slot: 3002n, timestamp: 1_900_000_036n });
  await addBlock(c, 1, 0, { slot: 3003n, timestamp: 1_900_000_072n });
  const ws3 = await syncedWorldState(c);
  const dir = mkdtempSync(join(tmpdir(), 'qz-empty-parity-'));
  try {
    const distinct = () => new Set(stack.enqueued.map((j) => j.id)).size;
    const run = async (epochNumber: number, emptyParity?: EmptyParityProofs) => {
      stack.enqueued.length = 0;
      const j = new EpochProvingJob({ epochNumber, fromBlock: 1, toBlock: 3, blocks: blockProcessor({ chain: c, worldState: ws3.sync }), producer: stack.producer, keys, proverId: PROVER_ID, rootCircuit: 'root-single', emptyParity, publisher: new CapturingPublisher(), pollMs: 50 });
      assert.equal(await j.run(), 'completed', j.getStatus().error);
      return distinct();
    };
    // each epoch proves its own message-free parity: 2 x parity-base (one with the message, one empty) + 2 parity-root, 3 base, 3 block-root, 2 block-merge, root-single
    assert.equal(await run(11), 13);
    // kept: proven once (here, before the epoch), then no message-free block or half costs a parity proof
    const kept = new EmptyParityProofs({ vkTree: keys.vkTree, producer: stack.producer, directory: dir });
    await kept.root();
    assert.equal(await run(12, kept), 11);
    assert.equal(stack.enqueued.filter((j) => j.type.startsWith('parity')).length, 2, 'the one message\'s parity-base and parity-root');
    // a restarted node reads them from the data directory: the same proofs, so the same job ids
    const again = new EmptyParityProofs({ vkTree: keys.vkTree, producer: { ...stack.producer, enqueueProvingJob: () => Promise.reject(new Error('not proven again')) }, directory: dir });
    assert.deepEqual(await again.root(), await kept.root());
  } finally {
    await ws3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
