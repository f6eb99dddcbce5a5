import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { Tx } from '@quetzal/protocol/tx';
import { TxPool } from './tx-pool.js';

const tx = (n: bigint) =>
  new Tx(
    { chainId: 1n, version: 1n, transactionFee: 5n, feePayer: 9n, noteHashes: [n, 0n, 0n, 0n], nullifiers: [n + 1000n, n + 2000n, 0n, 0n], l2ToL1Msgs: [0n, 0n] },
    Array<bigint>(PROOF_LENGTH).fill(0n),
  );

test('the pool survives a restart: pending order, mined txs, nullifier index, re-check flags; txs return to pending and are dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-pool-'));
  try {
    const [a, b, c] = [tx(1n), tx(2n), tx(3n)];
    let pool = new TxPool(join(dir, 'pool'));
    for (const t of [a, b, c]) await pool.add(t);
    await pool.markMined([b], { block: 4, headerHash: 0xabcn, l1Block: 17 });
    await pool.close();

    pool = new TxPool(join(dir, 'pool'));
    assert.deepEqual(pool.pending().map((t) => t.hash()), [a.hash(), c.hash()], 'pending txs in arrival order');
    assert.deepEqual(pool.mined(), [{ hash: b.hash(), block: 4, headerHash: 0xabcn, l1Block: 17 }]);
    assert.equal(pool.txWithNullifier(2002n), b.hash(), 'a mined tx still holds its nullifiers');
    assert.equal(pool.get(b.hash())?.hash(), b.hash());

    assert.deepEqual(pool.toRecheck(), [], 'nothing returned yet');
    await pool.returnToPending([b.hash()]);
    assert.deepEqual(pool.pending().map((t) => t.hash()), [a.hash(), c.hash(), b.hash()]);
    assert.deepEqual(pool.mined(), []);
    assert.deepEqual(pool.toRecheck().map((t) => t.hash()), [b.hash()], 'a returned tx waits for its re-check');
    await pool.close();
    pool = new TxPool(join(dir, 'pool'));
    assert.deepEqual(pool.toRecheck().map((t) => t.hash()), [b.hash()], 'and still does after a restart');
    await pool.markRechecked([b.hash()]);
    assert.deepEqual(pool.toRecheck(), []);
    await pool.close();
    pool = new TxPool(join(dir, 'pool'));
    assert.deepEqual(pool.toRecheck(), [], 'the re-check is persisted');
    await pool.markMined([b], { block: 5, headerHash: 0xabdn, l1Block: 18 });
    await pool.returnToPending([b.hash()]);
    await pool.drop([b.hash()]);
    assert.deepEqual(pool.toRecheck(), [], 'a dropped tx needs no re-check');

    await pool.drop([a.hash()]);
    assert.equal(pool.get(a.hash()), undefined);
    assert.equal(pool.txWithNullifier(1001n), undefined, 'a dropped tx frees its nullifiers');
    assert.equal(pool.pendingCount, 1);
    await pool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
