import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventLogs, type Hex } from 'viem';
import { outboxAbi, proofCommitmentEscrowAbi, rollupAbi, anvilRpc, outboxMessagePath, OutboxContract, InboxContract, inboxLeaf, treeOfGlobalIndex, type OutboxMessage } from '@quetzal/l1';
import { l2ToL1MessageLeaf } from '@quetzal/protocol/tx';
import type { TxEffect } from '@quetzal/protocol/block';
import { accounts, claim, effect, fieldHex, fundEscrow, proposeNext, rejectsWith, envPerFile, signQuote, type Env } from './harness.js';

let env: Env;
envPerFile((e) => (env = e));

/** Membership path of message `j` of tx `i` (as the Outbox takes it). */
function messagePath(txs: TxEffect[], i: number, j: number): { directions: bigint; siblings: Hex[] } {
  const p = outboxMessagePath(txs, i, j);
  return { directions: p.directions, siblings: p.siblings.map(fieldHex) };
}

const SENDER = 77n; // the harness's txs are from account 77
/** A message from account 77 to anvil account `to`. */
const msg = (content: bigint, to = 4): OutboxMessage => ({ sender: SENDER, recipient: accounts[to]!.address, content });
const leaf = (m: OutboxMessage) => l2ToL1MessageLeaf(m.sender, { recipient: BigInt(m.recipient), content: m.content });

const consume = (block: bigint, m: OutboxMessage, p: { directions: bigint; siblings: Hex[] }, from = 4) =>
  env.sender(from).sendContractTx({
    address: env.deployment.addresses.outbox, abi: outboxAbi, functionName: 'consume',
    args: [block, { sender: fieldHex(m.sender), recipient: m.recipient, content: fieldHex(m.content) }, p.directions, p.siblings],
  });

async function proveEpoch0(archive: bigint) {
  await fundEscrow(env, 2, 100n);
  await env.warpToSlot(4);
  await claim(env, 1, await signQuote(env, 2, { epochToProve: 0n }));
  await env.sender(3).sendContractTx({
    address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'submitEpochRootProof',
    args: [{ epoch: 0n, previousArchive: fieldHex(0xa0n), endArchive: fieldHex(archive), proverId: accounts[2]!.address }, '0x'],
  });
}

describe('Outbox', () => {
  it('L2->L1 messages are consumable only after their epoch is proven, by their recipient, once each, with a valid path', async () => {
    await env.warpToSlot(1);
    const m = (c: bigint) => msg(c, c === 112n ? 5 : 4); // one message goes to account 5
    const contents = [[111n, 112n], [121n], [], [141n, 142n], [151n]];
    const txs = contents.map((cs, i) => effect(BigInt(10 * (i + 1)), cs.map((c) => leaf(m(c)))));
    const b = await proposeNext(env, 1, { txs });
    const path = messagePath(txs, 3, 1); // message 142
    // not yet proven
    const [blk, proven] = await rejectsWith(consume(1n, m(142n), path), 'BlockNotProven');
    assert.deepEqual([blk, proven], [1n, 0n]);
    await proveEpoch0(b.archive);
    // only the recipient may consume: another caller is refused by name, and naming itself as the recipient
    // makes another message, not in the block
    const [recipient, caller] = await rejectsWith(consume(1n, m(142n), path, 5), 'NotRecipient');
    assert.deepEqual([recipient, caller], [accounts[4]!.address, accounts[5]!.address]);
    await rejectsWith(consume(1n, msg(142n, 5), path, 5), 'InvalidMembershipProof');
    // nor is a message of another L2 sender with the same recipient and content
    await rejectsWith(consume(1n, { ...m(142n), sender: SENDER + 1n }, path), 'InvalidMembershipProof');
    // now every message is consumable exactly once, by its recipient
    const r = await consume(1n, m(142n), path);
    console.log(`# gas: Outbox.consume (5-tx block) = ${r.receipt.gasUsed}`);
    const [ev] = parseEventLogs({ abi: outboxAbi, logs: r.receipt.logs, eventName: 'MessageConsumed' });
    assert.equal(BigInt(ev!.args.leaf!), leaf(m(142n)));
    assert.equal(ev!.args.recipient, accounts[4]!.address);
    assert.equal(await env.c.outbox.read.hasMessageBeenConsumed([1n, ev!.args.leafId!]), true);
    await rejectsWith(consume(1n, m(142n), path), 'MessageAlreadyConsumed');
    for (const [i, j, c] of [[0, 0, 111n], [0, 1, 112n], [1, 0, 121n], [3, 0, 141n], [4, 0, 151n]] as const) await consume(1n, m(c), messagePath(txs, i, j), c === 112n ? 5 : 4);
    // a wrong message, a wrong sibling
    await rejectsWith(consume(1n, msg(999n), messagePath(txs, 2, 0)), 'InvalidMembershipProof');
    const bad = messagePath(txs, 1, 1);
    bad.siblings[1] = fieldHex(1n);
    await rejectsWith(consume(1n, m(122n), bad), 'InvalidMembershipProof');
    // a block above the proven tip
    await rejectsWith(consume(2n, m(142n), path), 'BlockNotProven');
    // the client wrapper agrees
    const outbox = new OutboxContract(env.client, env.deployment.addresses.outbox);
    assert.equal(await outbox.hasBeenConsumed(1, outboxMessagePath(txs, 3, 1)), true);
    assert.equal(await outbox.hasBeenConsumed(1, outboxMessagePath(txs, 2, 1)), false);
    assert.equal(BigInt(await env.c.outbox.read.messageLeaf([{ sender: fieldHex(SENDER), recipient: accounts[4]!.address, content: fieldHex(7n) }])), leaf(msg(7n)));
  });

  it('an inner node of the out hash tree cannot pass for a message: the path must have the shape of the block', async () => {
    // The leaf is now a hash the Outbox computes, so a caller cannot even name an inner node as its message; the
    // path-shape check still refuses a short path to any leaf.
    await env.warpToSlot(1);
    const txs = [effect(10n, [leaf(msg(1n)), leaf(msg(2n))]), effect(20n, [leaf(msg(3n))])];
    const b = await proposeNext(env, 1, { txs });
    await proveEpoch0(b.archive);
    const full = messagePath(txs, 0, 0);
    const short = { directions: full.directions >> 1n, siblings: full.siblings.slice(1) };
    const [expectedLen, givenLen] = await rejectsWith(consume(1n, msg(1n), short), 'InvalidPathLength');
    assert.notEqual(expectedLen, givenLen);
  });

  it('a single-tx block: the path is just the other message; OutboxContract consumes for the recipient', async () => {
    await env.warpToSlot(1);
    const txs = [effect(10n, [leaf(msg(5n)), leaf(msg(6n))])];
    const b = await proposeNext(env, 1, { txs });
    await proveEpoch0(b.archive);
    await consume(1n, msg(6n), messagePath(txs, 0, 1));
    const outbox = new OutboxContract(env.client, env.deployment.addresses.outbox);
    await outbox.consume(env.sender(4), 1, msg(5n), outboxMessagePath(txs, 0, 0));
    assert.equal(await outbox.hasBeenConsumed(1, outboxMessagePath(txs, 0, 0)), true);
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

// A token whose calls fail the ways real tokens do: mode 0 behaves (returns true), 1 returns false, 2 reverts with
// a reason, 3 succeeds without return data (USDT-style, accepted), 4 reverts without a reason.
const ODD_TOKEN = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;
contract OddToken {
  uint256 public mode;
  mapping(address => uint256) public balanceOf;
  function setMode(uint256 m) external { mode = m; }
  function mint(address to, uint256 v) external { balanceOf[to] += v; }
  function _move(address from, address to, uint256 v) private { balanceOf[from] -= v; balanceOf[to] += v; }
  function _result() private view {
    uint256 m = mode;
    if (m == 1) { assembly { mstore(0, 0) return(0, 32) } }
    if (m == 2) { revert("odd token says no"); }
    if (m == 3) { assembly { return(0, 0) } }
    if (m == 4) { assembly { revert(0, 0) } }
    assembly { mstore(0, 1) return(0, 32) }
  }
  function _moves() private view returns (bool) { return mode == 0 || mode == 3; }
  function transfer(address to, uint256 v) external { if (_moves()) _move(msg.sender, to, v); _result(); }
  function transferFrom(address from, address to, uint256 v) external { if (_moves()) _move(from, to, v); _result(); }
  function burn(uint256 v) external { if (_moves()) balanceOf[msg.sender] -= v; _result(); }
}
`;

describe('ProofCommitmentEscrow with a token that fails', () => {
  it('every transfer and burn checks the token\'s result: false, a bare revert or no contract fail with TokenCallFailed; a reason is passed on', async () => {
    const { compileSolidity, linkBytecode, loadArtifact } = await import('@quetzal/l1');
    const { getAddress, toFunctionSelector } = await import('viem');
    const odd = compileSolidity({ 'OddToken.sol': ODD_TOKEN }).OddToken!;
    const deployer = env.sender(0);
    const token = getAddress((await deployer.deploy({ abi: odd.abi, bytecode: linkBytecode(odd, {}), label: 'deploy OddToken' })).address);
    const escrowArt = loadArtifact('ProofCommitmentEscrow');
    // the escrow's "rollup" is account 1, so the test can stake and slash directly
    const escrow = (await deployer.deploy({ abi: escrowArt.abi, bytecode: linkBytecode(escrowArt, {}), args: [token, 0n, accounts[0]!.address], label: 'deploy escrow' })).address;
    await deployer.sendContractTx({ address: escrow, abi: proofCommitmentEscrowAbi, functionName: 'setRollup', args: [accounts[1]!.address] });
    const tokenTx = (functionName: string, args: readonly unknown[]) => deployer.sendContractTx({ address: token, abi: odd.abi, functionName, args } as never);
    const escrowTx = (from: number, functionName: string, args: readonly unknown[]) =>
      env.sender(from).sendContractTx({ address: escrow, abi: proofCommitmentEscrowAbi, functionName, args } as never);
    const read = (functionName: 'deposits' | 'staked', who: number) => env.client.readContract({ address: escrow, abi: proofCommitmentEscrowAbi, functionName, args: [accounts[who]!.address] });
    const balance = (a: `0x${string}`) => env.client.readContract({ address: token, abi: odd.abi, functionName: 'balanceOf', args: [a] }) as Promise<bigint>;
    const failed = async (p: Promise<unknown>, selector: string) => assert.deepEqual(await rejectsWith(p, 'TokenCallFailed'), [token, toFunctionSelector(selector)]);
    await tokenTx('mint', [accounts[2]!.address, 1000n]);

    const reason = (p: Promise<unknown>) => assert.rejects(p, /odd token says no/);
    for (const mode of [1n, 2n, 4n]) {
      await tokenTx('setMode', [mode]);
      if (mode === 2n) await reason(escrowTx(2, 'deposit', [100n]));
      else await failed(escrowTx(2, 'deposit', [100n]), 'transferFrom(address,address,uint256)');
      assert.equal(await read('deposits', 2), 0n);
    }
    await tokenTx('setMode', [3n]); // no return data from a contract: accepted
    await escrowTx(2, 'deposit', [300n]);
    assert.equal(await read('deposits', 2), 300n);
    assert.equal(await balance(escrow), 300n);

    await escrowTx(2, 'startWithdraw', [100n]);
    await escrowTx(1, 'stakeBond', [accounts[2]!.address, 50n]);
    for (const mode of [1n, 2n, 4n]) {
      await tokenTx('setMode', [mode]);
      if (mode === 2n) {
        await reason(escrowTx(2, 'executeWithdraw', []));
        await reason(escrowTx(1, 'slashBond', [accounts[2]!.address, 50n]));
      } else {
        await failed(escrowTx(2, 'executeWithdraw', []), 'transfer(address,uint256)');
        await failed(escrowTx(1, 'slashBond', [accounts[2]!.address, 50n]), 'burn(uint256)');
      }
    }
    // nothing moved while the token failed
    assert.deepEqual([await read('deposits', 2), await read('staked', 2), await balance(escrow)], [250n, 50n, 300n]);
    await tokenTx('setMode', [0n]);
    await escrowTx(2, 'executeWithdraw', []);
    await escrowTx(1, 'slashBond', [accounts[2]!.address, 50n]);
    assert.deepEqual([await read('deposits', 2), await read('staked', 2), await balance(escrow), await balance(accounts[2]!.address)], [150n, 0n, 150n, 800n]);

    // a token address with no code: a call "succeeds" with no data, which must not pass for a transfer
    const ghost = (await deployer.deploy({ abi: escrowArt.abi, bytecode: linkBytecode(escrowArt, {}), args: ['0x000000000000000000000000000000000000dEaD', 0n, accounts[0]!.address], label: 'deploy escrow' })).address;
    assert.deepEqual(
      await rejectsWith(env.sender(2).sendContractTx({ address: ghost, abi: proofCommitmentEscrowAbi, functionName: 'deposit', args: [1n] }), 'TokenCallFailed'),
      ['0x000000000000000000000000000000000000dEaD', toFunctionSelector('transferFrom(address,address,uint256)')],
    );
  });
});
