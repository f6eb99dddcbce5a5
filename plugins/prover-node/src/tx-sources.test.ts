import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { buildTxCircuitInputs, Tx } from '@quetzal/protocol/tx';
import { OrderedTxProvider, type TxSource } from './tx-sources.js';

const txs = [1n, 2n, 3n].map((nonce) => new Tx(buildTxCircuitInputs({ secret: 5n, nonce, chainId: 1n, version: 1n, transactionFee: 0n }).effects, Array(PROOF_LENGTH).fill(0n)));
const [t1, t2, t3] = txs as [Tx, Tx, Tx];

function source(name: string, has: Tx[], asked: bigint[][], answer?: (h: bigint) => Tx | undefined): TxSource {
  return {
    describe: () => name,
    getTxsByHash: async (hashes) => {
      asked.push([...hashes]);
      return hashes.map((h) => (answer ? answer(h) : has.find((t) => t.hash() === h)));
    },
  };
}

test('asks each source in order for what is still missing, ignores wrong txs and failing sources, and names its sources', async () => {
  const asked: Record<string, bigint[][]> = { pool: [], peers: [], nodes: [] };
  const provider = new OrderedTxProvider([
    source('pool', [t1], asked.pool!),
    { describe: () => 'peers (0 connected)', getTxsByHash: async () => Promise.reject(new Error('down')) },
    source('forger', [], (asked.peers = []), () => t1), // answers t1 for every hash: only t1 counts
    source('http://node', [t2], asked.nodes!),
  ]);
  const got = await provider.getTxsByHash([t1.hash(), t2.hash(), t3.hash()]);
  assert.deepEqual(got.map((t) => t?.hash()), [t1.hash(), t2.hash(), undefined]);
  assert.deepEqual(asked.pool, [[t1.hash(), t2.hash(), t3.hash()]]);
  assert.deepEqual(asked.peers, [[t2.hash(), t3.hash()]], 'later sources are asked only for the missing txs');
  assert.deepEqual(asked.nodes, [[t2.hash(), t3.hash()]], 'a forged answer does not count as found');
  assert.equal(provider.describe(), 'pool, peers (0 connected), forger, http://node');
});

test('stops asking once every tx is found', async () => {
  const later: bigint[][] = [];
  const provider = new OrderedTxProvider([source('pool', txs, []), source('nodes', [], later)]);
  assert.equal((await provider.getTxsByHash(txs.map((t) => t.hash()))).filter(Boolean).length, 3);
  assert.deepEqual(later, []);
});
