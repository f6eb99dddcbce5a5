// Bid-time validation against anvil: before it signs a quote the prover node holds every tx of the
// epoch, re-executes every block and compares it with L1, and checks that proving fits the proof
// window. A proposer that withholds a tx, or posts a block with a garbage archive, gets no quote,
// nor does an epoch the agents could not prove in time: the node declines, says why, and counts it.
// (test/prover-node/l1.test.ts has the node bid on an epoch that passes.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { encodeProposeArgs, RollupContract, rollupAbi } from '@quetzal/l1';
import { AppendOnlyTreeSnapshot } from '@quetzal/protocol/block/header';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import type { Tx } from '@quetzal/protocol/tx';
import { PROVING_JOB_TYPES } from '@quetzal/protocol/proving-jobs';
import { ProverNodeMetrics, type ProverNode } from '@quetzal/prover-node';
import type { Env } from '../l1/harness.js';
import { addBlock, newChain } from './epoch-fixture.js';
import { PROPOSER, startL1ProverEnv, type L1ProverEnv } from './l1-fixture.js';

let l1: L1ProverEnv;
let env: Env;
/** What the node's tx provider holds. */
const held = new Map<bigint, Tx>();
const registry = new Registry();
let node: ProverNode;

before(async () => {
  l1 = await startL1ProverEnv(1);
  env = l1.env;
  node = l1.proverNode(held, {
    metrics: new ProverNodeMetrics(registry, () => node.allJobs()),
    // until the broker measures them, each circuit is planned at 1000 s: no epoch with txs fits the 3-minute window
    provingSeconds: Object.fromEntries(PROVING_JOB_TYPES.map((t) => [t, 1000])) as Record<(typeof PROVING_JOB_TYPES)[number], number>,
  });
});

after(async () => {
  await node?.stop();
  await l1?.stop();
});

/** Block 1 (2 txs, no L1->L2 message: L1 checks a block's messages against the Inbox) on genesis, at the current slot; a prune since brings the pending chain back to genesis. */
async function proposeFirstBlock(tamper?: (b: L2Block) => L2Block): Promise<{ block: L2Block; txs: Tx[] }> {
  const chain = newChain();
  const slot = await env.currentSlot();
  const honest = await addBlock(chain, 2, [], { slot, timestamp: env.genesisTime + slot * env.slotDuration });
  const block = tamper ? tamper(honest) : honest;
  await env.sender(PROPOSER).sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'propose', args: encodeProposeArgs(block) });
  return { block, txs: [...chain.txs.values()] };
}

/** Follows L1 until the node quotes or declines `epoch`; the decline's reason. */
async function declined(epoch: number): Promise<string> {
  for (let i = 0; i < 300; i++) {
    await l1.archiver.sync();
    const d = node.getStatus().declinedEpochs.find((x) => x.epoch === epoch);
    if (d) return d.reason;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`epoch ${epoch} was neither declined nor quoted: ${JSON.stringify(node.getStatus())}`);
}

async function declineCount(reason: string): Promise<number> {
  const m = (await registry.getSingleMetric('quetzal_prover_node_quotes_declined_total')!.get()).values.find((v) => v.labels.reason === reason);
  return m?.value ?? 0;
}

test('an epoch that would not be proven in time: declined (proving-time), no quote', async () => {
  await node.start();
  await env.warpToSlot(1);
  const { txs } = await proposeFirstBlock();
  for (const tx of txs) held.set(tx.hash(), tx);
  await env.warpToSlot(4); // claim window of epoch 0
  assert.equal(await declined(0), 'proving-time');
  assert.deepEqual(l1.quotes, [], 'no quote for epoch 0');
  assert.equal(await declineCount('proving-time'), 1);
});

test('a block whose tx no provider holds: the epoch is declined (tx-unavailable), no quote', async () => {
  // epoch 0 was not claimed: the next proposal prunes it and builds on genesis again
  await env.warpToSlot(8);
  const { txs } = await proposeFirstBlock();
  // the proposer keeps the first tx to itself (made-up txs repeat: the node held it for epoch 0's block)
  held.delete(txs[0]!.hash());
  for (const tx of txs.slice(1)) held.set(tx.hash(), tx);
  await env.warpToSlot(12); // claim window of epoch 2
  assert.equal(await declined(2), 'tx-unavailable');
  assert.deepEqual(l1.quotes, [], 'no quote for epoch 2');
  assert.equal(await declineCount('tx-unavailable'), 1);
});

test('a block with a garbage archive: the epoch is declined (block-mismatch), no quote', async () => {
  await env.warpToSlot(16);
  const { txs } = await proposeFirstBlock((b) => new L2Block(b.header, b.body, new AppendOnlyTreeSnapshot(0xbadn, b.archive.nextAvailableLeafIndex)));
  for (const tx of txs) held.set(tx.hash(), tx);
  const onL1 = await new RollupContract(env.client, env.deployment.addresses.rollup).getBlock(1);
  assert.equal(onL1.archive, 0xbadn, 'L1 took the garbage archive');
  await env.warpToSlot(20); // claim window of epoch 4
  assert.equal(await declined(4), 'block-mismatch');
  assert.deepEqual(l1.quotes, [], 'no quote for epoch 4');
  assert.equal(await declineCount('block-mismatch'), 1);
});

test('after the garbage block is pruned, the next epoch is validated again (the world state resumed)', async () => {
  await env.warpToSlot(24);
  const { txs } = await proposeFirstBlock();
  for (const tx of txs) held.set(tx.hash(), tx);
  await env.warpToSlot(28); // claim window of epoch 6
  // every block check passed: only the (deliberately slow) proving plan stands in the way
  assert.equal(await declined(6), 'proving-time');
});

test('a tx that reaches a provider after its block was judged: the block is judged again before the bid, not declined for the tx', async () => {
  await env.warpToSlot(32);
  const missingBefore = await declineCount('tx-unavailable');
  const { txs } = await proposeFirstBlock();
  // the node sees the block at the next archiver sync: its first tx is nowhere until then
  const late = txs[0]!;
  held.delete(late.hash());
  for (const tx of txs.slice(1)) held.set(tx.hash(), tx);
  const misses = new Set<bigint>();
  const get = held.get.bind(held);
  held.get = (h) => get(h) ?? void misses.add(h);
  // the node judges the block while its first tx is nowhere yet
  for (let i = 0; i < 200 && !misses.has(late.hash()); i++) {
    await l1.archiver.sync();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(misses.has(late.hash()), 'the node looked for the tx before it arrived');
  held.set(late.hash(), late);
  await env.warpToSlot(36); // claim window of epoch 8
  assert.equal(await declined(8), 'proving-time', 'every block check passed once the tx arrived');
  assert.equal(await declineCount('tx-unavailable'), missingBefore, 'no decline for the tx that arrived late');
});
