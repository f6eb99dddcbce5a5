import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import type { L2Block } from '@quetzal/protocol/block/l2-block';
import type { L2BlockSource, L2Tips } from '@quetzal/protocol/l2-block-source';
import { Tx } from '@quetzal/protocol/tx';
import { TxPool } from './tx-pool.js';
import { TxPoolFollower } from './tx-pool-follower.js';

const tx = (n: bigint) =>
  new Tx({ chainId: 1n, version: 1n, transactionFee: 1n, feePayer: 9n, noteHashes: [n, 0n, 0n, 0n], nullifiers: [n + 1000n, 0n, 0n, 0n], l2ToL1Msgs: [0n, 0n] }, Array<bigint>(PROOF_LENGTH).fill(0n));

/** Blocks holding the given txs, with a header hash per block number. */
function source(blocks: Tx[][], tips: () => L2Tips): L2BlockSource {
  const block = (n: number) => ({ number: BigInt(n), headerHash: () => BigInt(1000 + n), body: { txEffects: blocks[n - 1]!.map((t) => t.toEffect()) } }) as unknown as L2Block;
  return { getTips: async () => tips(), getBlock: async (n: number) => (n <= blocks.length ? block(n) : undefined) } as unknown as L2BlockSource;
}

test('the pool marks txs the chain mined, whoever built the block, and forgets them once their block is proven', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-follower-'));
  try {
    const pool = new TxPool(join(dir, 'pool'));
    const [a, b, c] = [tx(1n), tx(2n), tx(3n)];
    for (const t of [a, b, c]) await pool.add(t);
    let tips: L2Tips = { pending: 2, proven: 0 };
    const follower = new TxPoolFollower(pool, source([[a], [b, tx(9n)]], () => tips), 1000, { warn: () => {} });
    await follower.sync();
    assert.deepEqual(pool.pending().map((t) => t.hash()), [c.hash()]);
    assert.deepEqual(pool.mined().map((m) => [m.hash, m.block, m.headerHash]).sort((x, y) => x[1]! > y[1]! ? 1 : -1), [[a.hash(), 1, 1001n], [b.hash(), 2, 1002n]]);
    tips = { pending: 2, proven: 1 };
    await follower.sync();
    assert.equal(pool.has(a.hash()), false, 'the tx of the proven block is forgotten');
    assert.equal(pool.has(b.hash()), true, 'the unproven block\'s tx is still served');
    await pool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stop during a step ends the polling: the step finishes and no further step starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-follower-'));
  try {
    const pool = new TxPool(join(dir, 'pool'));
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = { getTips: async () => (calls++, await gate, { pending: 0, proven: 0 }), getBlock: async () => undefined } as unknown as L2BlockSource;
    const follower = new TxPoolFollower(pool, slow, 20, { warn: () => {} });
    follower.start();
    await new Promise((r) => setTimeout(r, 10));
    const stopped = follower.stop();
    release();
    await stopped;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls, 1, 'no step after the stop');
    await pool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
