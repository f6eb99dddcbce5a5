// The prover node against anvil: it bids on the epoch that just ended (a signed quote to the
// sequencer, the escrow topped up), and a second node started after the claim (a claim made while
// the node was down) proves the epoch and lands it on L1 with the archiver, an LMDB world state
// and the in-process broker and agents.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inboxAbi, rollupAbi, encodeProposeArgs, RollupContract } from '@quetzal/l1';
import { recoverQuoteSigner } from '@quetzal/protocol/quote';
import { RootRollupPublicInputs } from '@quetzal/protocol/root-public-inputs';
import { BondManager, assertSameRootPublicInputs, L1EpochProofPublisher, ProverNode } from '@quetzal/prover-node';
import { accounts, claim, signQuote, type Env } from '../l1/harness.js';
import { addBlock, type Chain } from './epoch-fixture.js';
import { PROPOSER, PROVER, startL1ProverEnv, type L1ProverEnv } from './l1-fixture.js';
import type { Archiver } from '@quetzal/archiver';
import type { Stack } from './stack.js';

let l1: L1ProverEnv;
let env: Env;
let chain: Chain;
let stack: Stack;
let archiver: Archiver;

before(async () => {
  l1 = await startL1ProverEnv();
  ({ env, chain, stack, archiver } = l1);
});

after(async () => {
  await l1?.stop();
});

/** `publishLagMs`: the proof lands on L1 that long before the publisher reports it (a slow receipt), as in a race with the job checks. */
function proverNode({ publishLagMs = 0 } = {}) {
  const sender = env.sender(PROVER);
  const publisher = new L1EpochProofPublisher({ rollup: new RollupContract(env.client, env.deployment.addresses.rollup), sender, proverAddress: sender.address, retryIntervalMs: 100 });
  return l1.proverNode(chain.txs, {
    bondManager: new BondManager({ client: env.client, sender, escrow: env.deployment.addresses.escrow, token: env.deployment.addresses.token, minimumDeposit: 500n, targetDeposit: 1000n }),
    publisher: { publish: async (request) => publisher.publish(request).then(async (r) => (await new Promise((ok) => setTimeout(ok, publishLagMs)), r)) },
  });
}

async function propose(numTxs: number, msgs: bigint[] = []) {
  const slot = await env.currentSlot();
  const block = await addBlock(chain, numTxs, msgs, { slot, timestamp: env.genesisTime + slot * env.slotDuration });
  await env.sender(PROPOSER).sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'propose', args: encodeProposeArgs(block) });
}

test('bids on the ended epoch, then proves a claim made while it was down and lands it on L1', async () => {
  // epoch 0: block 1 (2 txs) and block 2 (3 txs, consuming an L1->L2 message sent before block 1)
  await env.sender(3).sendContractTx({
    address: env.deployment.addresses.inbox, abi: inboxAbi, functionName: 'sendL2Message', args: [`0x${'11'.padStart(64, '0')}`, `0x${'22'.padStart(64, '0')}`, `0x${'33'.padStart(64, '0')}`],
  });
  const leaves = (await env.c.inbox.read.getLeaves([2n])).map((x) => BigInt(x));
  await env.warpToSlot(1);
  await propose(2);
  await env.warpToSlot(2);
  await propose(3, leaves);

  // epoch 1, claim window: the node bids on epoch 0
  await env.warpToSlot(4);
  await archiver.sync();
  const bidder = proverNode();
  await bidder.start();
  await waitFor(() => l1.quotes.length > 0, 'a quote');
  await bidder.stop();
  const q = l1.quotes[0]!;
  assert.equal(q.quote.epochToProve, 0n);
  assert.equal(q.quote.validUntilSlot, 5n);
  assert.equal(q.quote.bondAmount, 200n);
  assert.equal(q.quote.basisPointFee, 500);
  assert.equal(await recoverQuoteSigner(q, { chainId: 31337, rollup: env.deployment.addresses.rollup }), accounts[PROVER]!.address);
  assert.equal(await env.c.escrow.read.deposits([accounts[PROVER]!.address]), 1000n, 'the bond manager topped the escrow up to the target');
  assert.deepEqual(bidder.getJobs(), [], 'no claim yet: no job');

  // the proposer claims while no prover node runs
  await claim(env, PROPOSER, q);
  await archiver.sync();
  // the node sees the epoch proven on L1 (several polls) before its own publisher reports back: still its own proof
  const prover = proverNode({ publishLagMs: 500 });
  await prover.start();
  try {
    await waitFor(() => prover.getJobs().some((j) => j.state === 'completed' || j.state === 'failed'), 'the epoch job to end', 60_000);
    const [job] = prover.getJobs();
    assert.equal(job!.state, 'completed', job!.error);
    assert.equal(job!.epoch, 0);
    assert.deepEqual([job!.fromBlock, job!.toBlock], [1, 2]);
    assert.match(job!.proofTxHash ?? '', /^0x[0-9a-f]{64}$/);
    const [, proven] = await env.c.rollup.read.getTips();
    assert.equal(proven, 2n, 'L1 proven tip advanced');
    assert.equal((await env.c.rollup.read.getClaim([0n])).status, 2, 'claim proven');
    assert.equal(await env.c.escrow.read.deposits([accounts[PROVER]!.address]), 1000n, 'bond released');
  } finally {
    await prover.stop();
  }
});

test('an L1 reorg that removes the claim aborts the job; the claim made again gets a new job that proves the epoch', async () => {
  // epoch 2: blocks 3 and 4
  await env.warpToSlot(8);
  await propose(1);
  await env.warpToSlot(9);
  await propose(2);
  await env.warpToSlot(12);
  await archiver.sync();
  const quote = await signQuote(env, PROVER, { epochToProve: 2n, validUntilSlot: 13n, bondAmount: 200n, basisPointFee: 500 });
  await Promise.all(stack.agents.map((a) => a.stop())); // nothing is proven: the job waits for its circuits
  const beforeClaim = await env.snapshot();
  await claim(env, PROPOSER, quote);
  await archiver.sync();
  const node = proverNode();
  await node.start();
  try {
    const first = await waitForJob(node, (j) => j.epoch === 2 && j.state === 'awaiting-root', 'the epoch 2 job to wait for its root');
    await env.revert(beforeClaim); // the L1 blocks holding the claim are gone
    const aborted = await waitForJob(node, (j) => j.id === first.id && j.state === 'reorged', 'the job to be aborted');
    assert.match(aborted.error ?? '', /claim of epoch 2 is gone/);

    await claim(env, PROPOSER, quote);
    for (const a of stack.agents) a.start();
    const again = await waitForJob(node, (j) => j.epoch === 2 && j.id !== first.id && (j.state === 'completed' || j.state === 'failed'), 'a new job to prove epoch 2', 60_000);
    assert.equal(again.state, 'completed', again.error);
    const [, proven] = await env.c.rollup.read.getTips();
    assert.equal(proven, 4n);
  } finally {
    await node.stop();
    for (const a of stack.agents) a.start();
  }
});

async function waitForJob(node: ProverNode, match: (j: ReturnType<ProverNode['getJobs']>[number]) => boolean, what: string, ms = 30_000) {
  let found: ReturnType<ProverNode['getJobs']>[number] | undefined;
  await waitFor(() => (found = node.getJobs().find(match)) !== undefined, what, ms);
  return found!;
}

test('the publisher names the first root public input that differs from the Rollup view', () => {
  const a = RootRollupPublicInputs.fromFields(Array(55).fill(1n));
  const fields = a.toFields();
  fields[2 + 16 + 2 * 3 + 1] = 9n; // fees[3].value
  assert.throws(() => assertSameRootPublicInputs(7, a, RootRollupPublicInputs.fromFields(fields)), /^PublicInputsMismatchError: epoch 7: root public input fees\[3\]\.value is 0x1 in our proof, 0x9 on L1/);
});

async function waitFor(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
