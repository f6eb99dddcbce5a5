import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppendOnlyTreeSnapshot, StateReference } from '@quetzal/protocol/block/header';
import { WorldStateMismatchError } from '@quetzal/protocol/world-state';
import { LmdbWorldState, ServerWorldStateSynchronizer } from '@quetzal/world-state';
import { Chain, FEE_PAYER, GENESIS_BALANCES, MemoryBlockSource, SYNC_HEIGHTS } from './chain.js';
import { tempDir } from './helpers.js';

const open = (path: string) => LmdbWorldState.open(path, { heights: SYNC_HEIGHTS, genesis: { publicData: GENESIS_BALANCES } });

test('syncs blocks from the source, checking every root; resumes after a restart', async () => {
  const d = tempDir();
  try {
    const chain = new Chain();
    for (let i = 0; i < 5; i++) chain.addBlock(i % 3);
    const source = new MemoryBlockSource(chain);
    let ws = await open(d.path);
    assert.deepEqual(await ws.getCommitted().getStateReference(), chain.refs[0].state(), 'genesis agrees with the chain builder');
    const reported: Array<[string, number]> = [];
    const progress = (label: string, total: number) => ({ add: (n: number) => void reported.push([label, n]), done: () => void reported.push(['done', total]) });
    let sync = new ServerWorldStateSynchronizer(ws, source, { batchSize: 2, progress });
    assert.equal(await sync.syncImmediate(), 5);
    assert.deepEqual(reported.map(([, n]) => n), [1, 1, 1, 1, 1, 5], 'a catch-up of more than one batch reports each block, then done');
    assert.match(reported[0]![0], /world state syncing 5 blocks/);
    assert.deepEqual(await sync.getCommitted().getStateReference(), chain.refs[5].state());
    assert.equal(await sync.getCommitted().readPublicData(FEE_PAYER), 1_000_000n - 3n * 4n);
    assert.deepEqual(await sync.getSnapshot(2).getStateReference(), chain.refs[2].state());
    await ws.close();

    chain.addBlock(2);
    ws = await open(d.path);
    sync = new ServerWorldStateSynchronizer(ws, source);
    assert.equal((await sync.status()).syncedBlockNumber, 5);
    assert.equal(await sync.syncImmediate(6), 6);
    assert.deepEqual(await ws.getCommitted().getStateReference(), chain.refs[6].state());
    await assert.rejects(sync.syncImmediate(9), /has not reached block 9/);
    await ws.close();
  } finally {
    d.cleanup();
  }
});

test('unwinds on a prune and on a reorg, then follows the new chain', async () => {
  const d = tempDir();
  try {
    const chain = new Chain();
    for (let i = 0; i < 6; i++) chain.addBlock(1);
    const source = new MemoryBlockSource(chain);
    const ws = await open(d.path);
    const sync = new ServerWorldStateSynchronizer(ws, source);
    await sync.syncImmediate();

    // prune: L1 rolls the pending chain back to block 3
    source.chain = chain.forkAt(3, 0n);
    assert.equal(await sync.syncImmediate(), 3);
    assert.deepEqual(await ws.getCommitted().getStateReference(), chain.refs[3].state());

    // reorg: blocks 2.. are replaced by different ones (same numbers)
    const other = chain.forkAt(1, 5n);
    for (let i = 0; i < 4; i++) other.addBlock(2);
    source.chain = other;
    assert.equal(await sync.syncImmediate(), 5);
    assert.deepEqual(await ws.getCommitted().getStateReference(), other.refs[5].state());
    assert.deepEqual(await ws.getSnapshot(1).getStateReference(), chain.refs[1].state());
    await ws.close();
  } finally {
    d.cleanup();
  }
});

test('a header that disagrees stops sync with an error naming the block and the tree, until that block leaves the chain', async () => {
  const d = tempDir();
  try {
    const chain = new Chain();
    chain.addBlock(1);
    chain.addBlock(1, 3n, (s) => new StateReference(s.l1ToL2MessageTree, s.noteHashTree, new AppendOnlyTreeSnapshot(123n, s.nullifierTree.nextAvailableLeafIndex), s.publicDataTree));
    chain.addBlock(1);
    const ws = await open(d.path);
    const source = new MemoryBlockSource(chain);
    const sync = new ServerWorldStateSynchronizer(ws, source);
    await assert.rejects(sync.syncImmediate(), (e: unknown) => e instanceof WorldStateMismatchError && /block 2: nullifier tree mismatch/.test(e.message));
    const st = await sync.status();
    assert.equal(st.syncedBlockNumber, 1);
    assert.match(st.error ?? '', /block 2: nullifier/);
    await assert.rejects(sync.syncImmediate(), /block 2/);
    // the state before the bad block is there for whoever needs only that (a prover judging block 2)
    assert.equal(await sync.syncImmediate(1), 1);
    await assert.rejects(sync.syncImmediate(2), /block 2: nullifier/);
    // the bad block is pruned and another block 2 proposed: sync resumes
    const pruned = chain.forkAt(1, 7n);
    pruned.addBlock(2);
    source.chain = pruned;
    assert.equal(await sync.syncImmediate(), 2);
    assert.deepEqual(await ws.getCommitted().getStateReference(), pruned.refs[2].state());
    assert.equal((await sync.status()).error, undefined);
    await ws.close();
  } finally {
    d.cleanup();
  }
});

test('keeps only the configured history depth; background loop follows the source', async () => {
  const d = tempDir();
  try {
    const chain = new Chain();
    for (let i = 0; i < 6; i++) chain.addBlock(1);
    const source = new MemoryBlockSource(chain);
    const ws = await open(d.path);
    const sync = new ServerWorldStateSynchronizer(ws, source, { historyDepth: 2, pollIntervalMs: 20 });
    await sync.start();
    assert.equal((await sync.status()).syncedBlockNumber, 6);
    assert.equal((await sync.status()).oldestHistoricBlockNumber, 4);
    assert.throws(() => sync.getSnapshot(3), /not available/);
    assert.deepEqual(await sync.getSnapshot(4).getStateReference(), chain.refs[4].state());
    chain.addBlock(1);
    for (let i = 0; i < 100 && (await sync.status()).syncedBlockNumber < 7; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await sync.status()).syncedBlockNumber, 7);
    await sync.stop();
    await ws.close();
  } finally {
    d.cleanup();
  }
});
