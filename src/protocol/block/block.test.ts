import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADER_LENGTH, L1_TO_L2_MSGS_PER_BLOCK, MAX_L2_TO_L1_MSGS_PER_TX, TX_EFFECT_SIZE_BYTES } from '../constants.js';
import { sha256MerkleRoot, sha256Node, sha256ToField, fieldsToBytes, wonkyRoot } from '../hash/sha256.js';
import {
  AppendOnlyTreeSnapshot, BlockHeader, Body, ContentCommitment, GlobalVariables, L2Block, StateReference, TxEffect,
  computeInHash, EMPTY_IN_HASH, addressToField, txsEffectsHash, blockOutHash,
} from './index.js';

const snap = (r: bigint, n: bigint) => new AppendOnlyTreeSnapshot(r, n);

function sampleHeader(seed = 1n): BlockHeader {
  return new BlockHeader(
    snap(seed * 101n, 5n),
    new ContentCommitment(2n, seed * 102n, seed * 103n, seed * 104n),
    new StateReference(snap(seed * 105n, 16n), snap(seed * 106n, 8n), snap(seed * 107n, 9n), snap(seed * 108n, 10n)),
    new GlobalVariables(31337n, 1n, 5n, 42n, 1_700_000_000n, addressToField('0x00000000000000000000000000000000000000aa')),
    999n,
  );
}

const effect = (i: bigint, msgs: bigint[] = []) => new TxEffect(i, 10n * i, 77n, [i + 1n], [i + 2n, i + 3n], msgs);

test('header: HEADER_LENGTH words in SPEC order, bytes round trip', () => {
  const h = sampleHeader();
  const f = h.toFields();
  assert.equal(f.length, HEADER_LENGTH);
  assert.deepEqual(f.slice(0, 6), [101n, 5n, 2n, 102n, 103n, 104n]);
  assert.deepEqual(f.slice(14, 20), [31337n, 1n, 5n, 42n, 1_700_000_000n, 0xaan]);
  assert.equal(f[20], 999n);
  const bytes = h.toBytes();
  assert.equal(bytes.length, HEADER_LENGTH * 32);
  const back = BlockHeader.fromBytes(bytes);
  assert.deepEqual(back.toFields(), f);
  assert.equal(back.hash(), sha256ToField(bytes));
  assert.equal(back.globalVariables.coinbaseAddress(), '0x00000000000000000000000000000000000000aa');
  assert.throws(() => BlockHeader.fromBytes(bytes.subarray(1)), RangeError);
  assert.notEqual(sampleHeader(2n).hash(), h.hash());
});

test('tx effect: padded arrays, encode/decode, hashes', () => {
  const e = effect(5n, [9n]);
  assert.equal(e.encode().length, TX_EFFECT_SIZE_BYTES);
  assert.deepEqual(e.l2ToL1Msgs, [9n, 0n]);
  assert.deepEqual(TxEffect.decode(e.encode()).toFields(), e.toFields());
  assert.equal(e.hash(), sha256ToField(e.encode()));
  assert.equal(e.outHash(), sha256ToField(fieldsToBytes([9n, 0n])));
  assert.equal(MAX_L2_TO_L1_MSGS_PER_TX, 2);
  assert.equal(e.outHash(), sha256Node(9n, 0n)); // with two messages the tx out hash is a 2-leaf tree
  assert.throws(() => new TxEffect(1n, 1n, 1n, [], [], [1n, 2n, 3n]), RangeError);
});

test('body: encode/decode, txsEffectsHash and outHash are wonky trees', () => {
  const effects = [effect(1n, [5n]), effect(2n), effect(3n, [6n, 7n])];
  const body = new Body(effects);
  const bytes = body.encode();
  assert.equal(bytes.length, 3 * TX_EFFECT_SIZE_BYTES);
  const back = Body.decode(bytes);
  assert.equal(back.numTxs, 3);
  assert.deepEqual(back.txEffects.map((x) => x.toFields()), effects.map((x) => x.toFields()));
  assert.equal(body.txsEffectsHash(), sha256Node(sha256Node(effects[0]!.hash(), effects[1]!.hash()), effects[2]!.hash()));
  assert.equal(body.outHash(), wonkyRoot(effects.map((x) => x.outHash())));
  assert.equal(txsEffectsHash(effects), body.txsEffectsHash());
  assert.equal(blockOutHash(effects), body.outHash());
  assert.equal(Body.empty().txsEffectsHash(), 0n);
  assert.throws(() => Body.decode(new Uint8Array(TX_EFFECT_SIZE_BYTES + 1)), RangeError);
});

test('inHash over 16 leaves', () => {
  assert.equal(L1_TO_L2_MSGS_PER_BLOCK, 16);
  const leaves = Array.from({ length: 16 }, (_, i) => BigInt(i + 1));
  let level = leaves;
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => sha256Node(level[2 * i]!, level[2 * i + 1]!));
  assert.equal(computeInHash(leaves), level[0]);
  assert.equal(computeInHash([1n, 2n]), sha256MerkleRoot([1n, 2n, ...Array(14).fill(0n)]));
  assert.equal(EMPTY_IN_HASH, sha256MerkleRoot(Array(16).fill(0n)));
  assert.throws(() => computeInHash(Array(17).fill(1n)), RangeError);
});

test('L2Block: checkBody and serialization', () => {
  const body = new Body([effect(1n, [5n]), effect(2n)]);
  const base = sampleHeader();
  const header = new BlockHeader(
    base.lastArchive,
    new ContentCommitment(2n, body.txsEffectsHash(), base.contentCommitment.inHash, body.outHash()),
    base.state, base.globalVariables, base.totalFees,
  );
  const block = new L2Block(header, body, snap(1234n, 6n));
  block.checkBody();
  const back = L2Block.fromBytes(block.toBytes());
  assert.equal(back.headerHash(), block.headerHash());
  assert.ok(back.archive.equals(block.archive));
  assert.equal(back.body.numTxs, 2);
  assert.throws(() => new L2Block(base, body, snap(0n, 0n)).checkBody(), /txsEffectsHash/);
});
