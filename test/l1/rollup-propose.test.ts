import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAbiParameters, parseEventLogs, type Address } from 'viem';
import { inboxAbi, rollupAbi } from '@quetzal/l1';
import { computeInHash, EMPTY_IN_HASH, TxEffect } from '@quetzal/protocol/block';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { sha256ToField, fromBytes } from '@quetzal/protocol/hash/sha256';
import { L1_TO_L2_MSGS_PER_BLOCK, NOTE_HASH_TREE_HEIGHT, NULLIFIER_TREE_HEIGHT, PUBLIC_DATA_TREE_HEIGHT } from '@quetzal/protocol/constants';
import { accounts, buildBlock, DEPLOYER, effect, fieldHex, proposeNext, rejectsWith, envPerFile, type Env } from './harness.js';

let env: Env;
envPerFile((e) => (env = e));

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
    await rejectsWith(proposeRaw(1, { ...b, archive: FIELD_MODULUS }), 'InvalidArchive');
    await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[19] = 1n << 160n) })), 'InvalidCoinbase');
  });

  it('refuses a header the circuits could not make: message tree index, tree indices beyond capacity, roots outside the field', async () => {
    await env.warpToSlot(1);
    const [expected, given] = await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[7] = 32n) })), 'InvalidL1ToL2MessageTreeIndex');
    assert.deepEqual([expected, given], [16n, 32n]);
    for (const [word, height] of [[9, NOTE_HASH_TREE_HEIGHT], [11, NULLIFIER_TREE_HEIGHT], [13, PUBLIC_DATA_TREE_HEIGHT]] as const) {
      const capacity = 1n << BigInt(height);
      const args = await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[word] = capacity + 1n) })), 'TreeIndexBeyondCapacity');
      assert.deepEqual(args, [BigInt(word), capacity, capacity + 1n]);
    }
    for (const word of [6, 8, 10, 12]) {
      const args = await rejectsWith(proposeRaw(1, next(1n, { tamper: (f) => (f[word] = FIELD_MODULUS) })), 'HeaderFieldOutOfRange');
      assert.deepEqual(args, [BigInt(word), FIELD_MODULUS]);
    }
    // a full tree is fine
    await proposeRaw(1, next(1n, { tamper: (f) => (f[9] = 1n << BigInt(NOTE_HASH_TREE_HEIGHT)) }));
  });

  it('refuses a body the circuits could not make: a word outside the field, a fee of 2^128, a tx without nullifier, a message leaf of 2^248, totalFees not the sum', async () => {
    await env.warpToSlot(1);
    const ok = effect(1n);
    const tx = (o: { noteHash?: bigint; fee?: bigint; firstNullifier?: bigint; message?: bigint }) =>
      new TxEffect(9n, o.fee ?? 5n, 77n, [o.noteHash ?? 3n], [o.firstNullifier ?? 4n], [0n, o.message ?? 0n]);
    assert.deepEqual(await rejectsWith(proposeRaw(1, next(1n, { txs: [ok, tx({ noteHash: FIELD_MODULUS })] })), 'BodyFieldOutOfRange'), [1n, 3n, FIELD_MODULUS]);
    assert.deepEqual(await rejectsWith(proposeRaw(1, next(1n, { txs: [tx({ fee: 1n << 128n })] })), 'TxFeeOutOfRange'), [0n, 1n << 128n]);
    assert.deepEqual(await rejectsWith(proposeRaw(1, next(1n, { txs: [ok, ok, tx({ firstNullifier: 0n })] })), 'TxWithoutNullifier'), [2n]);
    assert.deepEqual(await rejectsWith(proposeRaw(1, next(1n, { txs: [ok, ok], totalFees: 11n })), 'InvalidTotalFees'), [10n, 11n]);
    // a message leaf is a sha256ToField: below 2^248
    assert.deepEqual(await rejectsWith(proposeRaw(1, next(1n, { txs: [tx({ message: 1n << 248n })] })), 'L2ToL1MessageOutOfRange'), [0n, 1n, 1n << 248n]);
    // a block's fees up to 2^128 - 1; a word just below the modulus
    await proposeRaw(1, next(1n, { txs: [ok, tx({ fee: (1n << 128n) - 6n, noteHash: FIELD_MODULUS - 1n })] }));
  });

  it('refuses a block that would make its epoch\'s fees reach 2^128 (the circuits refuse that sum)', async () => {
    const half = 1n << 127n;
    const big = (seed: bigint) => [new TxEffect(seed, half, 77n, [], [seed], [])];
    await env.warpToSlot(1);
    await proposeNext(env, 1, { txs: big(1n) });
    await env.warpToSlot(2);
    assert.deepEqual(await rejectsWith(proposeNext(env, 1, { txs: big(2n) }), 'EpochFeesOutOfRange'), [1n << 128n]);
    await proposeNext(env, 1, { txs: [new TxEffect(2n, half - 1n, 77n, [], [2n], [])] });
    assert.equal((await env.c.rollup.read.getBlock([2n])).epochFees, (1n << 128n) - 1n);
    await env.warpToSlot(4); // epoch 1 starts its own sum (epoch 0 is pruned first: unclaimed at slot 6 only)
    await proposeNext(env, 1, { txs: big(3n) });
    assert.equal((await env.c.rollup.read.getBlock([3n])).epochFees, half);
  });

  it('only the slot\'s proposer may propose once a scheduled sequencer set applies (round robin)', async () => {
    const seqs: Address[] = [accounts[1]!.address, accounts[2]!.address];
    const schedule = (from: number, s: Address[]) =>
      env.sender(from).sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'scheduleSequencers', args: [s] });
    const r = await schedule(DEPLOYER, seqs);
    const [ev] = parseEventLogs({ abi: rollupAbi, logs: r.receipt.logs, eventName: 'SequencersScheduled' });
    assert.equal(ev!.args.fromEpoch, 2n); // scheduled in epoch 0
    await rejectsWith(schedule(1, []), 'NotOwner');
    // epochs 0 and 1 keep the set they had (open mode)
    await env.warpToSlot(3);
    assert.equal(await env.c.rollup.read.getCurrentProposer(), '0x0000000000000000000000000000000000000000');
    await proposeNext(env, 3);
    assert.deepEqual(await env.c.rollup.read.getSequencers(), []);
    assert.deepEqual(await env.c.rollup.read.getSequencersAt([2n]), seqs);
    await env.warpToSlot(9); // epoch 2: 9 % 2 = 1 -> accounts[2]
    assert.equal(await env.c.rollup.read.getCurrentProposer(), accounts[2]!.address);
    const [expected, caller] = await rejectsWith(proposeNext(env, 1), 'NotProposer');
    assert.equal(expected, accounts[2]!.address);
    assert.equal(caller, accounts[1]!.address);
    await proposeNext(env, 2);
    await env.warpToSlot(10);
    await rejectsWith(proposeNext(env, 2), 'NotProposer');
    await proposeNext(env, 1);
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 2n); // block 1 of slot 3 was pruned (unclaimed)
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
