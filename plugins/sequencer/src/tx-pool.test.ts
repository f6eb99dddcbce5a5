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

test('the pool survives a restart: pending order, mined txs, nullifier index; txs return to pending and are dropped', async () => {
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

    await pool.returnToPending([b.hash()]);
    assert.deepEqual(pool.pending().map((t) => t.hash()), [a.hash(), c.hash(), b.hash()]);
    assert.deepEqual(pool.mined(), []);

    await pool.drop([a.hash()]);
    assert.equal(pool.get(a.hash()), undefined);
    assert.equal(pool.txWithNullifier(1001n), undefined, 'a dropped tx frees its nullifiers');
    assert.equal(pool.pendingCount, 2);
    await pool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
