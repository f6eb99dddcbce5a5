import { after, before, beforeEach, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventLogs, type Hex } from 'viem';
import { outboxAbi, proofCommitmentEscrowAbi, rollupAbi, anvilRpc, outboxMessagePath, OutboxContract, InboxContract, inboxLeaf, treeOfGlobalIndex } from '@quetzal/l1';
import { sha256Node } from '@quetzal/protocol/hash/sha256';
import type { TxEffect } from '@quetzal/protocol/block';
import { accounts, claim, effect, fieldHex, fundEscrow, proposeNext, rejectsWith, setup, signQuote, type Env } from './harness.js';

let env: Env;
let snap: string;
before(async () => {
  env = await setup();
});
after(async () => env?.stop());
beforeEach(async () => {
  snap = await env.snapshot();
});
afterEach(async () => env.revert(snap));

/** Membership path of message `j` of tx `i` (as the Outbox takes it). */
function messagePath(txs: TxEffect[], i: number, j: number): { directions: bigint; siblings: Hex[] } {
  const p = outboxMessagePath(txs, i, j);
  return { directions: p.directions, siblings: p.siblings.map(fieldHex) };
}

const consume = (block: bigint, message: bigint, p: { directions: bigint; siblings: Hex[] }, from = 4) =>
  env.sender(from).sendContractTx({ address: env.deployment.addresses.outbox, abi: outboxAbi, functionName: 'consume', args: [block, fieldHex(message), p.directions, p.siblings] });

describe('Outbox', () => {
  it('L2->L1 messages are consumable only after their epoch is proven, once each, with a valid path', async () => {
    await env.warpToSlot(1);
    const txs = [effect(10n, [111n, 112n]), effect(20n, [121n]), effect(30n, []), effect(40n, [141n, 142n]), effect(50n, [151n])];
    const b = await proposeNext(env, 1, { txs });
    const path = messagePath(txs, 3, 1); // message 142
    // not yet proven
    const [blk, proven] = await rejectsWith(consume(1n, 142n, path), 'BlockNotProven');
    assert.deepEqual([blk, proven], [1n, 0n]);
    // prove epoch 0
    await fundEscrow(env, 2, 100n);
    await env.warpToSlot(4);
    await claim(env, 1, await signQuote(env, 2, { epochToProve: 0n }));
    await rejectsWith(consume(1n, 142n, path), 'BlockNotProven');
    await env.sender(3).sendContractTx({
      address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'submitEpochRootProof',
      args: [{ epoch: 0n, previousArchive: fieldHex(0xa0n), endArchive: fieldHex(b.archive), proverId: accounts[2]!.address }, '0x'],
    });
    // now every non-empty message is consumable exactly once
    const r = await consume(1n, 142n, path);
    console.log(`# gas: Outbox.consume (5-tx block) = ${r.receipt.gasUsed}`);
    const [ev] = parseEventLogs({ abi: outboxAbi, logs: r.receipt.logs, eventName: 'MessageConsumed' });
    assert.equal(BigInt(ev!.args.message!), 142n);
    assert.equal(await env.c.outbox.read.hasMessageBeenConsumed([1n, ev!.args.leafId!]), true);
    await rejectsWith(consume(1n, 142n, path), 'MessageAlreadyConsumed');
    for (const [i, j, m] of [[0, 0, 111n], [0, 1, 112n], [1, 0, 121n], [3, 0, 141n], [4, 0, 151n]] as const) await consume(1n, m, messagePath(txs, i, j));
    // a wrong message, a wrong sibling, an empty message
    await rejectsWith(consume(1n, 999n, messagePath(txs, 2, 0)), 'InvalidMembershipProof');
    const bad = messagePath(txs, 1, 1);
    bad.siblings[1] = fieldHex(1n);
    await rejectsWith(consume(1n, 122n, bad), 'InvalidMembershipProof');
    await rejectsWith(consume(1n, 0n, messagePath(txs, 2, 0)), 'EmptyMessage');
    // an inner node cannot pass for a message: the path must have the shape the block's tx count gives
    const innerNode = sha256Node(txs[0]!.outHash(), txs[1]!.outHash());
    const full = messagePath(txs, 0, 0);
    const short = { directions: full.directions >> 2n, siblings: full.siblings.slice(2) };
    const [expectedLen, givenLen] = await rejectsWith(consume(1n, innerNode, short), 'InvalidPathLength');
    assert.notEqual(expectedLen, givenLen);
    // a block above the proven tip
    await rejectsWith(consume(2n, 142n, path), 'BlockNotProven');
    // the client wrapper agrees
    const outbox = new OutboxContract(env.client, env.deployment.addresses.outbox);
    assert.equal(await outbox.hasBeenConsumed(1, outboxMessagePath(txs, 3, 1)), true);
    assert.equal(await outbox.hasBeenConsumed(1, outboxMessagePath(txs, 2, 1)), false);
  });

  it('a single-tx block: the path is just the other message', async () => {
    await env.warpToSlot(1);
    const txs = [effect(10n, [5n, 6n])];
    const b = await proposeNext(env, 1, { txs });
    await fundEscrow(env, 2, 100n);
    await env.warpToSlot(4);
    await claim(env, 1, await signQuote(env, 2, { epochToProve: 0n }));
    await env.sender(3).sendContractTx({
      address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'submitEpochRootProof',
      args: [{ epoch: 0n, previousArchive: fieldHex(0xa0n), endArchive: fieldHex(b.archive), proverId: accounts[2]!.address }, '0x'],
    });
    await consume(1n, 6n, messagePath(txs, 0, 1));
    await consume(1n, 5n, messagePath(txs, 0, 0));
  });
});

describe('InboxContract', () => {
  it('sends messages and reads the leaves a block consumes; inboxLeaf matches the contract', async () => {
    const inbox = new InboxContract(env.client, env.deployment.addresses.inbox);
    const sent = [];
    for (let i = 0n; i < 3n; i++) sent.push(await inbox.sendL2Message(env.sender(3), { recipient: 7n, content: 100n + i, secretHash: 9n }));
    assert.deepEqual(sent.map((x) => x.globalIndex), [16n, 17n, 18n]);
    assert.equal(treeOfGlobalIndex(17n), 2n);
    for (const [i, x] of sent.entries()) {
      assert.equal(x.leaf, inboxLeaf({ sender: accounts[3]!.address, recipient: 7n, content: 100n + BigInt(i), secretHash: 9n, globalIndex: x.globalIndex }));
    }
    assert.deepEqual(await inbox.getLeavesForBlock(2), sent.map((x) => x.leaf));
    assert.deepEqual(await inbox.getLeavesForBlock(1), []);
    assert.equal(await inbox.inProgress(), 2n);
    await env.warpToSlot(1);
    await proposeNext(env, 1);
    await env.warpToSlot(2);
    const b2 = await proposeNext(env, 1, { inHashLeaves: await inbox.getLeavesForBlock(2) });
    assert.equal(b2.header.contentCommitment.inHash, await inbox.getRoot(2));
  });
});

describe('ProofCommitmentEscrow', () => {
  const escrow = () => env.deployment.addresses.escrow;
  const call = (from: number, functionName: 'startWithdraw' | 'executeWithdraw' | 'stakeBond', args: readonly unknown[]) =>
    env.sender(from).sendContractTx({ address: escrow(), abi: proofCommitmentEscrowAbi, functionName, args } as never);

  it('deposit, delayed withdrawal', async () => {
    await fundEscrow(env, 2, 500n);
    assert.equal(await env.c.escrow.read.deposits([accounts[2]!.address]), 500n);
    await rejectsWith(call(2, 'executeWithdraw', []), 'NoWithdrawalRequested');
    await rejectsWith(call(2, 'startWithdraw', [501n]), 'InsufficientDeposit');
    await call(2, 'startWithdraw', [200n]);
    await rejectsWith(call(2, 'executeWithdraw', []), 'WithdrawalNotReady');
    const latest = await env.client.getBlock();
    await anvilRpc.mineAt(env.anvil.url, latest.timestamp + 61n);
    const before = await env.c.token.read.balanceOf([accounts[2]!.address]);
    await call(2, 'executeWithdraw', []);
    assert.equal(await env.c.token.read.balanceOf([accounts[2]!.address]), before + 200n);
    assert.equal(await env.c.escrow.read.deposits([accounts[2]!.address]), 300n);
  });

  it('a staked bond cannot be withdrawn; only the rollup stakes', async () => {
    await rejectsWith(call(2, 'stakeBond', [accounts[2]!.address, 1n]), 'NotRollup');
    await env.warpToSlot(1);
    await proposeNext(env, 1);
    await fundEscrow(env, 2, 150n);
    await call(2, 'startWithdraw', [150n]); // queued before the claim
    await env.warpToSlot(4);
    await claim(env, 1, await signQuote(env, 2, { epochToProve: 0n, bondAmount: 100n }));
    const latest = await env.client.getBlock();
    await anvilRpc.mineAt(env.anvil.url, latest.timestamp + 61n);
    const [, available, needed] = await rejectsWith(call(2, 'executeWithdraw', []), 'InsufficientDeposit');
    assert.deepEqual([available, needed], [50n, 150n]);
  });
});
