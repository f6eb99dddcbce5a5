import { after, before, beforeEach, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAbiParameters, parseEventLogs, type Address } from 'viem';
import { inboxAbi, rollupAbi } from '@quetzal/l1';
import { computeInHash, EMPTY_IN_HASH } from '@quetzal/protocol/block';
import { sha256ToField, fromBytes } from '@quetzal/protocol/hash/sha256';
import { L1_TO_L2_MSGS_PER_BLOCK } from '@quetzal/protocol/constants';
import { accounts, buildBlock, DEPLOYER, effect, fieldHex, proposeNext, rejectsWith, setup, type Env } from './harness.js';

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

async function proposeRaw(proposer: number, b: { headerHex: `0x${string}`; archive: bigint; bodyHex: `0x${string}` }) {
  return env.sender(proposer).sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'propose', args: [b.headerHex, fieldHex(b.archive), b.bodyHex] });
}

const next = (slot: bigint, spec: Partial<Parameters<typeof buildBlock>[0]> = {}) =>
  buildBlock({ blockNumber: 1n, slot, lastArchive: 0xa0n, env, ...spec });

describe('Rollup.propose', () => {
  it('stores the block, chains archives and emits L2BlockProposed', async () => {
    await env.warpToSlot(1);
    const txs = [effect(1n, [7n]), effect(2n), effect(3n, [8n, 9n])];
    const b1 = await proposeNext(env, 1, { txs });
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 1n);
    const log = await env.c.rollup.read.getBlock([1n]);
    assert.equal(BigInt(log.archive), b1.archive);
    assert.equal(BigInt(log.headerHash), b1.header.hash());
    assert.equal(BigInt(log.outHash), b1.body.outHash());
    assert.equal(log.numTxs, 3);
    assert.equal(log.slotNumber, 1n);
    assert.equal(log.totalFees, 15n);
    assert.equal(log.coinbase, accounts[5]!.address);
    const events = await env.c.rollup.getEvents.L2BlockProposed({}, { fromBlock: 0n });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.args.blockNumber, 1n);
    assert.equal(BigInt(events[0]!.args.headerHash!), b1.header.hash());
    console.log(`# gas: propose with 3 txs = ${b1.gasUsed}`);

    await env.warpToSlot(3);
    const b2 = await proposeNext(env, 2);
    assert.equal(b2.header.lastArchive.root, b1.archive);
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 2n);
    assert.equal(await env.c.rollup.read.getEpochForBlock([2n]), 0n);
  });

  it('gas of a full block (64 txs)', async () => {
    await env.warpToSlot(1);
    const txs = Array.from({ length: 64 }, (_, i) => effect(BigInt(i + 1) * 10n, [BigInt(i + 1)]));
    const b = await proposeNext(env, 1, { txs });
    console.log(`# gas: propose with 64 txs = ${b.gasUsed}`);
    assert.ok(b.gasUsed < 3_000_000n);
  });

  it('accepts an empty block (txsEffectsHash = outHash = 0)', async () => {
    await env.warpToSlot(1);
    const b = await proposeNext(env, 1, { txs: [] });
    assert.equal(b.header.contentCommitment.txsEffectsHash, 0n);
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 1n);
  });

  it('refuses a block out of its slot (InvalidSlot)', async () => {
    await env.warpToSlot(2);
    const [current, given] = await rejectsWith(proposeRaw(1, next(1n)), 'InvalidSlot');
    assert.equal(current, 2n);
    assert.equal(given, 1n);
    await rejectsWith(proposeRaw(1, next(3n)), 'InvalidSlot');
  });

  it('refuses a second block in the same slot (SlotNotAfterParent)', async () => {
    await env.warpToSlot(1);
    const b1 = await proposeNext(env);
    await rejectsWith(proposeRaw(1, buildBlock({ blockNumber: 2n, slot: 1n, lastArchive: b1.archive, env })), 'SlotNotAfterParent');
  });

  it('refuses a wrong timestamp, block number, last archive, chain id or version', async () => {
    await env.warpToSlot(1);
    await rejectsWith(proposeRaw(1, next(1n, { timestamp: env.genesisTime + env.slotDuration + 1n })), 'InvalidTimestamp');
    await rejectsWith(proposeRaw(1, next(1n, { blockNumber: 2n, lastArchive: 0xa0n, tamper: (f) => (f[1] = 1n) })), 'InvalidBlockNumber');
    const [expected, given] = await rejectsWith(proposeRaw(1, next(1n, { lastArchive: 0xa1n })), 'InvalidLastArchive');
    assert.equal(BigInt(expected as string), 0xa0n);
    assert.equal(BigInt(given as string), 0xa1n);
    await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[1] = 7n) })), 'InvalidLastArchiveIndex');
    await rejectsWith(proposeRaw(1, next(1n, { chainId: 1n })), 'InvalidChainId');
    await rejectsWith(proposeRaw(1, next(1n, { version: 2n })), 'InvalidVersion');
  });

  it('refuses a body that does not match the header', async () => {
    await env.warpToSlot(1);
    await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[3] = f[3]! + 1n) })), 'InvalidTxsEffectsHash');
    await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[5] = f[5]! + 1n) })), 'InvalidOutHash');
    await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[2] = 2n) })), 'InvalidBodyLength');
    await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[2] = 65n) })), 'TooManyTxs');
    const b = next(1n);
    await rejectsWith(proposeRaw(1, { ...b, bodyHex: `${b.bodyHex}00` }), 'InvalidBodyLength');
    await rejectsWith(proposeRaw(1, { ...b, headerHex: `${b.headerHex}00` }), 'InvalidHeaderLength');
    await rejectsWith(proposeRaw(1, { ...b, archive: 0n }), 'InvalidArchive');
    await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[19] = 1n << 160n) })), 'InvalidCoinbase');
  });

  it('only the slot\'s proposer may propose when a sequencer set is configured (round robin)', async () => {
    const seqs: Address[] = [accounts[1]!.address, accounts[2]!.address];
    await env.sender(DEPLOYER).sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'setSequencers', args: [seqs] });
    await rejectsWith(
      env.sender(1).sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'setSequencers', args: [[]] }),
      'NotOwner',
    );
    await env.warpToSlot(3); // 3 % 2 = 1 -> accounts[2]
    assert.equal(await env.c.rollup.read.getCurrentProposer(), accounts[2]!.address);
    const [expected, caller] = await rejectsWith(proposeRaw(1, next(3n)), 'NotProposer');
    assert.equal(expected, accounts[2]!.address);
    assert.equal(caller, accounts[1]!.address);
    await proposeRaw(2, next(3n));
    await env.warpToSlot(4);
    await rejectsWith(proposeNext(env, 2), 'NotProposer');
    await proposeNext(env, 1);
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 2n);
  });
});

describe('Inbox: L1->L2 messages consumed per block, in order', () => {
  async function send(i: number, content: bigint) {
    const r = await env.sender(3).sendContractTx({
      address: env.deployment.addresses.inbox, abi: inboxAbi, functionName: 'sendL2Message', args: [fieldHex(0xbeefn), fieldHex(content), fieldHex(0x5ecn + BigInt(i))],
    });
    const [ev] = parseEventLogs({ abi: inboxAbi, logs: r.receipt.logs, eventName: 'MessageSent' });
    return ev!.args;
  }

  it('leaf = sha256ToField(abi.encode(sender, recipient, content, secretHash, globalIndex)); tree 1 stays empty', async () => {
    const m = await send(0, 42n);
    assert.equal(m.treeNumber, 2n);
    assert.equal(m.globalIndex, 16n);
    const enc = encodeAbiParameters(
      [{ type: 'address' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }],
      [accounts[3]!.address, fieldHex(0xbeefn), fieldHex(42n), fieldHex(0x5ecn), 16n],
    );
    assert.equal(BigInt(m.hash!), sha256ToField(Buffer.from(enc.slice(2), 'hex')));
    assert.equal(BigInt(await env.c.inbox.read.getRoot([1n])), EMPTY_IN_HASH);
    assert.equal(BigInt(await env.c.inbox.read.getRoot([2n])), computeInHash([BigInt(m.hash!)]));
  });

  it('block N must carry tree N\'s root; messages sent after block N-1 go to a later tree', async () => {
    const leaves: bigint[] = [];
    for (let i = 0; i < 3; i++) leaves.push(BigInt((await send(i, 100n + BigInt(i))).hash!));
    await env.warpToSlot(1);
    // block 1 consumes the empty tree 1: carrying the messages is refused
    await rejectsWith(proposeNext(env, 1, { inHashLeaves: leaves }), 'InvalidInHash');
    await proposeNext(env, 1);
    assert.equal(await env.c.inbox.read.inProgress(), 3n);
    const late = BigInt((await send(9, 999n)).hash!); // goes to tree 3
    await env.warpToSlot(2);
    // out of order, missing one, or including the late one: refused
    await rejectsWith(proposeNext(env, 1, { inHashLeaves: [leaves[1]!, leaves[0]!, leaves[2]!] }), 'InvalidInHash');
    await rejectsWith(proposeNext(env, 1, { inHashLeaves: leaves.slice(0, 2) }), 'InvalidInHash');
    await rejectsWith(proposeNext(env, 1, { inHashLeaves: [...leaves, late] }), 'InvalidInHash');
    const [expected] = await rejectsWith(proposeNext(env, 1, { inHashLeaves: [] }), 'InvalidInHash');
    assert.equal(BigInt(expected as string), computeInHash(leaves));
    await proposeNext(env, 1, { inHashLeaves: leaves });
    await env.warpToSlot(3);
    await proposeNext(env, 1, { inHashLeaves: [late] });
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 3n);
    const consumed = await env.c.inbox.getEvents.TreeConsumed({}, { fromBlock: 0n });
    assert.deepEqual(consumed.map((e) => [e.args.treeNumber, e.args.messages]), [[1n, 0n], [2n, 3n], [3n, 1n]]);
  });

  it('a full tree moves the next message to the next tree', async () => {
    for (let i = 0; i < L1_TO_L2_MSGS_PER_BLOCK; i++) await send(i, BigInt(i));
    const m = await send(99, 99n);
    assert.equal(m.treeNumber, 3n);
    assert.equal(m.globalIndex, 32n);
    assert.equal((await env.c.inbox.read.getLeaves([2n])).length, 16);
    assert.ok(fromBytes(Buffer.from((await env.c.inbox.read.getRoot([2n])).slice(2), 'hex')) !== EMPTY_IN_HASH);
  });
});
