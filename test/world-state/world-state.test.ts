import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TreeId } from '@quetzal/protocol/trees/types';
import { verifyNullifierInsertion, verifyPublicDataWrite } from '@quetzal/protocol/trees/verify';
import { WorldStateMismatchError, type BlockTreeEffects } from '@quetzal/protocol/world-state';
import { poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';
import { computeGenesis, getHasher, getBbHasher, LmdbWorldState } from '@quetzal/world-state';
import { bigintToBytes, bytesToBigint } from '../../plugins/world-state/src/encoding.js';
import { ReferenceWorld, SMALL_HEIGHTS, openSmall, tempDir } from './helpers.js';

const GENESIS = [
  { slot: 7n, value: 1000n },
  { slot: 3n, value: 500n },
];

let seq = 1000n;
function effects(blockNumber: number, n = 3): BlockTreeEffects {
  const noteHashes = Array.from({ length: 4 * n }, (_, i) => (i % 4 === 3 ? 0n : seq++));
  const nullifiers = Array.from({ length: n }, () => (seq += 7919n));
  return {
    blockNumber,
    noteHashes,
    nullifiers,
    publicDataWrites: [
      { slot: 7n, value: BigInt(1000 - blockNumber) },
      { slot: 100n + BigInt(blockNumber), value: 1n },
    ],
    l1ToL2Messages: Array.from({ length: 4 }, (_, i) => (i === 0 ? seq++ : 0n)),
    blockHash: seq++,
  };
}

function applyRef(ref: ReferenceWorld, e: BlockTreeEffects): void {
  ref.noteHash.appendLeaves(e.noteHashes);
  for (const n of e.nullifiers) ref.nullifier.insert(n);
  for (const w of e.publicDataWrites) ref.publicData.write(w.slot, w.value);
  ref.l1ToL2.appendLeaves(e.l1ToL2Messages);
  ref.archive.appendLeaves([e.blockHash]);
}

test('native Poseidon2 equals bb on random inputs', () => {
  const native = getHasher();
  const bb = getBbHasher();
  const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
  const rnd = (i: number) => (BigInt(i + 1) * 0x9e3779b97f4a7c15f39cc0605cedc834n) ** 3n % P;
  const edge = [0n, 1n, P - 1n, P - 2n, 2n ** 253n, 2n ** 64n - 1n];
  for (let i = 0; i < 100; i++) {
    const a = bigintToBytes(i < edge.length ? edge[i] : rnd(i));
    const b = bigintToBytes(i < edge.length ? edge[edge.length - 1 - i] : rnd(i + 1000));
    assert.deepEqual(Buffer.from(native.hash2(a, b)), Buffer.from(bb.hash2(a, b)));
    assert.equal(bytesToBigint(native.hashFields([a, b, a, b])), poseidon2Hash([bytesToBigint(a), bytesToBigint(b), bytesToBigint(a), bytesToBigint(b)]));
  }
});

test('genesis equals the reference trees (initial leaves, genesis balances, archive leaf 0)', async () => {
  const d = tempDir();
  try {
    const ws = await openSmall(d.path, GENESIS);
    const ref = new ReferenceWorld(SMALL_HEIGHTS, GENESIS);
    assert.deepEqual(await ws.getCommitted().getStateReference(), ref.state());
    assert.equal((await ws.getStatus()).latestBlockNumber, 0);
    assert.equal(await ws.getCommitted().readPublicData(7n), 1000n);
    const g = computeGenesis({ publicData: GENESIS }, SMALL_HEIGHTS);
    assert.deepEqual(g.state, ref.state(), 'computeGenesis gives the same state without a store');
    assert.equal(g.blockHash, ref.archive.getLeaf(0));
    await ws.close();
  } finally {
    d.cleanup();
  }
});

test('forks are isolated copy-on-write views; witnesses verify; closed forks refuse calls', async () => {
  const d = tempDir();
  try {
    const ws = await openSmall(d.path, GENESIS);
    const committedBefore = await ws.getCommitted().getStateReference();
    const f1 = await ws.fork();
    const f2 = await ws.fork();
    assert.equal(ws.openForkCount, 2);
    const before = (await f1.getStateReference()).nullifierTree;
    const [w] = await f1.insertNullifiers([42n]);
    assert.deepEqual(verifyNullifierInsertion(before, 42n, w), (await f1.getStateReference()).nullifierTree);
    const pdBefore = (await f1.getStateReference()).publicDataTree;
    const pw = await f1.writePublicData(7n, 900n);
    assert.equal(pw.kind, 'update');
    assert.deepEqual(verifyPublicDataWrite(pdBefore, 7n, 900n, pw), (await f1.getStateReference()).publicDataTree);
    await f1.appendLeaves(TreeId.NOTE_HASH, [1n, 2n, 3n, 4n]);
    assert.equal(await f1.readPublicData(7n), 900n);
    assert.equal(await f2.readPublicData(7n), 1000n);
    assert.equal(await f2.findLeafIndex(TreeId.NULLIFIER, 42n), undefined);
    assert.equal(await f1.findLeafIndex(TreeId.NULLIFIER, 42n), 1);
    assert.deepEqual(await ws.getCommitted().getStateReference(), committedBefore);
    await assert.rejects(f1.insertNullifiers([42n]), /nullifier already exists/);
    await assert.rejects(f1.insertNullifiers([43n, 43n]), /nullifier already exists/);
    assert.equal(await f1.findLeafIndex(TreeId.NULLIFIER, 43n), undefined, 'a refused batch inserts nothing');
    await f1.close();
    await f2.close();
    assert.equal(ws.openForkCount, 0);
    await assert.rejects(f1.getStateReference(), /closed/);
    const committed = ws.getCommitted();
    await ws.close();
    await assert.rejects(committed.getTreeInfo(TreeId.NOTE_HASH), /closed/);
  } finally {
    d.cleanup();
  }
});

test('commit, snapshots at every block, root checks, unwind, history removal, reopen', async () => {
  const d = tempDir();
  try {
    let ws = await openSmall(d.path, GENESIS);
    const ref = new ReferenceWorld(SMALL_HEIGHTS, GENESIS);
    const refAt: ReferenceWorld[] = [ref.clone()];
    for (let b = 1; b <= 6; b++) {
      const e = effects(b);
      applyRef(ref, e);
      const state = await ws.commitBlock(e, ref.state());
      assert.deepEqual(state, ref.state());
      refAt.push(ref.clone());
    }
    // every retained block reads as it was
    for (let b = 0; b <= 6; b++) {
      const snap = ws.getSnapshot(b);
      assert.deepEqual(await snap.getStateReference(), refAt[b].state(), `state at block ${b}`);
      assert.deepEqual(await snap.getSiblingPath(TreeId.NULLIFIER, 1), refAt[b].nullifier.getSiblingPath(1));
      assert.deepEqual(await snap.getSiblingPath(TreeId.NOTE_HASH, 5), refAt[b].noteHash.getSiblingPath(5));
      assert.equal(await snap.readPublicData(7n), refAt[b].publicData.read(7n));
      assert.deepEqual(await snap.findLowNullifier(5000n), refAt[b].nullifier.findLowLeaf(5000n));
    }
    // a fork at an old block sees that block and accepts writes
    const old = await ws.fork(2);
    const r2 = refAt[2].clone();
    assert.deepEqual(await old.insertNullifiers([3n]), [r2.nullifier.insert(3n)]);
    assert.deepEqual(await old.getStateReference(), r2.state());
    await old.close();

    // a mismatching header stops the commit and names the tree
    const bad = effects(7);
    const refBad = ref.clone();
    applyRef(refBad, bad);
    const wrong = { ...refBad.state(), nullifierTree: { root: 1n, nextAvailableLeafIndex: 0 } };
    await assert.rejects(ws.commitBlock(bad, wrong), (e: unknown) => e instanceof WorldStateMismatchError && e.tree === 'nullifier' && e.blockNumber === 7);
    assert.equal((await ws.getStatus()).latestBlockNumber, 6);
    assert.deepEqual(await ws.getCommitted().getStateReference(), ref.state());

    // unwind to block 3, then build a different block 4
    const forkAt5 = await ws.fork(5);
    await ws.unwindTo(3);
    assert.equal((await ws.getStatus()).latestBlockNumber, 3);
    assert.deepEqual(await ws.getCommitted().getStateReference(), refAt[3].state());
    await assert.rejects(forkAt5.getStateReference(), /unwound/);
    await forkAt5.close();
    assert.throws(() => ws.getSnapshot(4), /not available/);
    const ref4 = refAt[3].clone();
    const e4 = effects(4);
    applyRef(ref4, e4);
    assert.deepEqual(await ws.commitBlock(e4, ref4.state()), ref4.state());
    assert.deepEqual(await ws.getSnapshot(3).getStateReference(), refAt[3].state());

    // removing history before block 3 keeps 3 and 4 readable
    const statsBefore = ws.store.stats();
    await ws.removeHistoryBefore(3);
    assert.ok(ws.store.stats().history < statsBefore.history, 'superseded versions are dropped');
    assert.equal((await ws.getStatus()).oldestHistoricBlockNumber, 3);
    assert.throws(() => ws.getSnapshot(2), /not available/);
    assert.deepEqual(await ws.getSnapshot(3).getStateReference(), refAt[3].state());
    assert.deepEqual(await ws.getSnapshot(4).getStateReference(), ref4.state());
    await assert.rejects(ws.unwindTo(2), /history before 3/);

    // reopen: same state, and the heights are checked
    await ws.close();
    ws = await openSmall(d.path, GENESIS);
    assert.equal((await ws.getStatus()).latestBlockNumber, 4);
    assert.deepEqual(await ws.getCommitted().getStateReference(), ref4.state());
    assert.deepEqual(await ws.getSnapshot(3).getStateReference(), refAt[3].state());
    await ws.close();
    await assert.rejects(LmdbWorldState.open(d.path, { heights: { ...SMALL_HEIGHTS, [TreeId.NOTE_HASH]: 9 } }), /tree heights/);
  } finally {
    d.cleanup();
  }
});

test('subtree sibling paths and append-only value lookups', async () => {
  const d = tempDir();
  try {
    const ws = await openSmall(d.path);
    const ref = new ReferenceWorld(SMALL_HEIGHTS);
    const f = await ws.fork();
    await f.appendLeaves(TreeId.L1_TO_L2_MESSAGES, [5n, 6n, 7n, 8n]);
    ref.l1ToL2.appendLeaves([5n, 6n, 7n, 8n]);
    assert.deepEqual(await f.getSubtreeSiblingPath(TreeId.L1_TO_L2_MESSAGES, 2), ref.l1ToL2.getSubtreeSiblingPath(2));
    assert.equal(await f.findLeafIndex(TreeId.L1_TO_L2_MESSAGES, 7n), 2);
    assert.equal(await f.getLeaf(TreeId.L1_TO_L2_MESSAGES, 3), 8n);
    assert.equal(await f.getLeaf(TreeId.L1_TO_L2_MESSAGES, 4), undefined);
    assert.equal(await f.findLeafIndex(TreeId.ARCHIVE, ref.archive.getLeaf(0)), 0);
    await f.close();
    await ws.close();
  } finally {
    d.cleanup();
  }
});

test('the store refuses a block number its 32-bit versions cannot hold, instead of wrapping it', async () => {
  const { TreeStore, NO_BLOCK } = await import('../../plugins/world-state/src/store.js');
  const dir = tempDir();
  const store = new TreeStore(dir.path, { noSync: true });
  try {
    const meta = { blockNumber: NO_BLOCK, roots: [], sizes: [], blockHash: '0x0' };
    assert.throws(() => store.commitBlock(NO_BLOCK, [], meta), /block 4294967295 does not fit its 32-bit block versions/);
    assert.equal(store.latestBlock(), undefined);
  } finally {
    await store.close();
    dir.cleanup();
  }
});
