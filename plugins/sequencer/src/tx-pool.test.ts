import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { Tx } from '@quetzal/protocol/tx';
import { TxPoolFullError } from '@quetzal/protocol/tx-pool';
import type { ProofVerdict } from '@quetzal/protocol/tx-proof-verifier';
import type { WorldStateReader } from '@quetzal/protocol/world-state';
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
    assert.deepEqual(await pool.revalidateReturned(), [], 'a pool without validation keeps it');
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

const feeTx = (n: bigint, transactionFee: bigint) =>
  new Tx(
    { chainId: 1n, version: 1n, transactionFee, feePayer: 9n, noteHashes: [n, 0n, 0n, 0n], nullifiers: [n + 1000n, 0n, 0n, 0n], l2ToL1Msgs: [0n, 0n] },
    Array<bigint>(PROOF_LENGTH).fill(0n),
  );

test('a full pool evicts the lowest fee (the latest arrival among equals) and refuses a tx that does not outbid it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-pool-'));
  const size = feeTx(0n, 0n).toBytes().length;
  let evicted = 0;
  try {
    const pool = new TxPool(join(dir, 'pool'), { limits: { maxTxs: 3, maxBytes: 100 * size }, onEvicted: (n) => (evicted += n) });
    const [a, b, c] = [feeTx(1n, 5n), feeTx(2n, 5n), feeTx(3n, 9n)];
    for (const t of [a, b, c]) await pool.add(t);
    // equal fee, later arrival: refused, nothing evicted
    await assert.rejects(pool.add(feeTx(4n, 5n)), (e: Error) => e instanceof TxPoolFullError && /does not outbid the lowest pending fee 5/.test(e.message));
    // a higher fee evicts the latest of the lowest fee (b), keeping the older a
    const d = feeTx(5n, 7n);
    await pool.add(d);
    assert.deepEqual(pool.pending().map((t) => t.hash()), [a.hash(), c.hash(), d.hash()]);
    assert.equal(pool.has(b.hash()), false);
    assert.equal(pool.txWithNullifier(1002n), undefined, 'an evicted tx frees its nullifier');
    assert.equal(evicted, 1);
    // mined txs do not count against the bound
    await pool.markMined([a], { block: 1, headerHash: 1n, l1Block: 1 });
    await pool.add(feeTx(6n, 1n));
    assert.equal(pool.pendingCount, 3);
    assert.deepEqual(pool.stats(), { pendingTxs: 3, pendingBytes: 3 * size, minedTxs: 1 });
    assert.equal(await pool.forgetMinedUpTo(1), 1);
    assert.equal(pool.has(a.hash()), false);
    await pool.close();

    // the byte bound: room for two txs
    const small = new TxPool(join(dir, 'small'), { limits: { maxTxs: 100, maxBytes: 2 * size } });
    await small.add(feeTx(10n, 1n));
    await small.add(feeTx(11n, 2n));
    await small.add(feeTx(12n, 3n));
    assert.deepEqual(small.pending().map((t) => t.publicOutputs.transactionFee), [2n, 3n]);
    assert.equal(small.stats().pendingBytes, 2 * size);
    await small.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('re-validation of txs back from a pruned block drops the ones that no longer validate, keeps the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qz-pool-'));
  const refused = new Set<bigint>();
  const state = { findLeafIndex: async () => undefined, readPublicData: async () => 100n } as unknown as WorldStateReader;
  const proofs = { kind: 'stub', verifyTxProof: async (t: Tx): Promise<ProofVerdict> => (refused.has(t.hash()) ? { valid: false, reason: 'forged' } : { valid: true }) };
  try {
    const pool = new TxPool(join(dir, 'pool'), { validation: { chainId: 1n, version: 1n, state: () => state, proofs } });
    const [a, b] = [tx(1n), tx(2n)];
    for (const t of [a, b]) await pool.add(t);
    await pool.markMined([a, b], { block: 1, headerHash: 0xabcn, l1Block: 3 });
    refused.add(b.hash());
    await pool.returnToPending([a.hash(), b.hash()]);
    assert.deepEqual(await pool.revalidateReturned(), [{ hash: b.hash(), field: 'proof', reason: 'client proof does not verify (stub proofs): forged' }]);
    assert.deepEqual(pool.pending().map((t) => t.hash()), [a.hash()], 'the valid one stays pending');
    assert.equal(pool.get(b.hash()), undefined, 'the forged one is gone');
    assert.deepEqual(pool.toRecheck(), []);
    assert.deepEqual(await pool.revalidateReturned(), [], 'each returned tx is checked once');
    await pool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
