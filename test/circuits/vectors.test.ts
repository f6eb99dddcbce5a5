// Cross-language vectors: the Noir structs' flatten() (what a parent verifies a child proof
// against) equals the declaration-order flattening (what bb exposes as public inputs, and what
// TypeScript's schemas produce); Poseidon2 (sponge lengths across chunk boundaries), Merkle node and
// empty-subtree hashing, sibling paths, sha256ToField, inHash, header hashes (poseidon2 block hash
// and sha256 header hash), tx hash, tx effect hash and tx out hash, indexed leaf hashes, all
// computed by the protocol's TypeScript and asserted inside Noir by circuits/vectors.
// Also: circuits/lib/src/constants.nr agrees with src/protocol/constants.ts.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, createFileManager } from '@noir-lang/noir_wasm';
import { Noir, type CompiledCircuit } from '@noir-lang/noir_js';
import * as C from '@quetzal/protocol/constants';
import { poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';
import { fieldsToBytes, sha256ToField } from '@quetzal/protocol/hash/sha256';
import { hashNode, hashNullifierLeaf, hashPublicDataLeaf, zeroHashes } from '@quetzal/protocol/trees/hash';
import { ReferenceAppendOnlyTree } from '@quetzal/protocol/trees/reference';
import { AppendOnlyTreeSnapshot, BlockHeader, ContentCommitment, GlobalVariables, StateReference } from '@quetzal/protocol/block/header';
import { blockHash } from '@quetzal/protocol/block/block-hash';
import { computeInHash } from '@quetzal/protocol/block/body';
import { TxEffect } from '@quetzal/protocol/block/tx-effect';
import { txHashOf } from '@quetzal/protocol/tx';
import { toAbi, struct, field, array, flatten, unflatten, sizeOf, type Schema, type Value } from '@quetzal/protocol/circuits/abi';
import {
  BlockHeaderSchema,
  BlockRollupOutputsSchema,
  NullifierLeafSchema,
  ParityOutputsSchema,
  PublicDataLeafSchema,
  RootOutputsSchema,
  TxPublicOutputsSchema,
  TxRollupOutputsSchema,
  type TxPublicOutputs,
} from '@quetzal/protocol/circuits/structs';
import { headerToCircuit } from '@quetzal/protocol/circuits/convert';

const root = fileURLToPath(new URL('../../', import.meta.url));
let noir: Noir;

const VectorsSchema = struct({
  p2In: array(field, 21),
  p2Out: array(field, 9),
  nodeIn: array(field, 2),
  nodeOut: field,
  zeroRoots: array(field, 5),
  shaBytesIn: array(field, 3),
  shaOut: array(field, 3),
  msgs: array(field, 16),
  inHash: field,
  msgsPoseidonRoot: field,
  header: BlockHeaderSchema,
  blockHash: field,
  headerHash: field,
  tx: TxPublicOutputsSchema,
  txHash: field,
  txEffectHash: field,
  txOutHash: field,
  nullifierLeaf: NullifierLeafSchema,
  nullifierLeafHash: field,
  publicDataLeaf: PublicDataLeafSchema,
  publicDataLeafHash: field,
  pathLeaf: field,
  pathIndex: field,
  path: array(field, 16),
  pathRoot: field,
  parity: ParityOutputsSchema,
  parityFlat: array(field, 3),
  txFlat: array(field, 14),
  txRollup: TxRollupOutputsSchema,
  txRollupFlat: array(field, 25),
  blockRollup: BlockRollupOutputsSchema,
  blockRollupFlat: array(field, 73),
  root: RootOutputsSchema,
  rootFlat: array(field, 55),
});

/** A value of the schema whose every field is distinct (so any reordering shows). */
function distinct<S extends Schema>(schema: S, seed: number): Value<S> {
  let i = 0;
  return unflatten(schema, Array.from({ length: sizeOf(schema) }, () => BigInt(seed * 1000 + ++i)));
}

// Arbitrary but large values (near the field modulus) exercise full-width encodings.
const big = (i: number): bigint => 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000n - BigInt(i * 7919);

function vectors() {
  const p2In = Array.from({ length: 21 }, (_, i) => (i % 2 ? big(i) : BigInt(i + 1)));
  const p2Out = [0, 1, 2, 3, 4, 6, 7, 14, 21].map((n) => poseidon2Hash(p2In.slice(0, n)));
  const msgs = Array.from({ length: 16 }, (_, i) => (i < 11 ? sha256ToField(new Uint8Array([i])) : 0n));
  const msgTree = new ReferenceAppendOnlyTree(4);
  msgTree.appendLeaves(msgs);
  const snap = (a: number) => new AppendOnlyTreeSnapshot(big(a), BigInt(a * 16));
  const header = new BlockHeader(
    snap(1),
    new ContentCommitment(3n, big(2), computeInHash(msgs), big(3)),
    new StateReference(snap(4), snap(5), snap(6), snap(7)),
    new GlobalVariables(31337n, 1n, 42n, 43n, 1_700_000_000n, 0x00112233445566778899aabbccddeeff00112233n),
    123_456_789n,
  );
  const tx: TxPublicOutputs = {
    chainId: 31337n,
    version: 1n,
    transactionFee: 1234n,
    feePayer: big(10),
    noteHashes: [big(11), big(12), 0n, 0n],
    nullifiers: [big(13), big(14), big(15), 0n],
    l2ToL1Msgs: [big(16), 0n],
  };
  const effect = new TxEffect(txHashOf(tx), tx.transactionFee, tx.feePayer, tx.noteHashes, tx.nullifiers, tx.l2ToL1Msgs);
  const nullifierLeaf = { value: big(20), nextIndex: 17n, nextValue: big(19) };
  const publicDataLeaf = { slot: big(21), value: 1000n, nextIndex: 3n, nextSlot: big(18) };
  const archive = new ReferenceAppendOnlyTree(16);
  archive.appendLeaves(Array.from({ length: 9 }, (_, i) => big(30 + i)));
  return {
    p2In,
    p2Out,
    nodeIn: [big(40), 5n],
    nodeOut: hashNode(big(40), 5n),
    zeroRoots: zeroHashes(4),
    shaBytesIn: [big(41), 7n, big(42)],
    shaOut: [1, 2, 3].map((n) => sha256ToField(fieldsToBytes([big(41), 7n, big(42)].slice(0, n)))),
    msgs,
    inHash: computeInHash(msgs),
    msgsPoseidonRoot: msgTree.root(),
    header: headerToCircuit(header),
    blockHash: blockHash(header),
    headerHash: header.hash(),
    tx,
    txHash: poseidon2Hash([tx.chainId, tx.version, tx.transactionFee, tx.feePayer, ...tx.noteHashes, ...tx.nullifiers, ...tx.l2ToL1Msgs]),
    txEffectHash: effect.hash(),
    txOutHash: effect.outHash(),
    nullifierLeaf,
    nullifierLeafHash: hashNullifierLeaf(nullifierLeaf),
    publicDataLeaf,
    publicDataLeafHash: hashPublicDataLeaf(publicDataLeaf),
    pathLeaf: big(35),
    pathIndex: 5n,
    path: archive.getSiblingPath(5),
    pathRoot: archive.root(),
    parity: distinct(ParityOutputsSchema, 1),
    parityFlat: flatten(ParityOutputsSchema, distinct(ParityOutputsSchema, 1)),
    txFlat: flatten(TxPublicOutputsSchema, tx),
    txRollup: distinct(TxRollupOutputsSchema, 2),
    txRollupFlat: flatten(TxRollupOutputsSchema, distinct(TxRollupOutputsSchema, 2)),
    blockRollup: distinct(BlockRollupOutputsSchema, 3),
    blockRollupFlat: flatten(BlockRollupOutputsSchema, distinct(BlockRollupOutputsSchema, 3)),
    root: distinct(RootOutputsSchema, 4),
    rootFlat: flatten(RootOutputsSchema, distinct(RootOutputsSchema, 4)),
  };
}

before(async () => {
  const { program } = (await compile(createFileManager(root + 'circuits/vectors'), undefined, () => {}, () => {})) as { program: CompiledCircuit };
  noir = new Noir(program);
});

test('Noir computes the TypeScript vectors', async () => {
  const v = vectors();
  assert.equal(v.txHash, txHashOf(v.tx));
  await noir.execute(toAbi(VectorsSchema, v) as never);
});

test('a wrong vector is caught (the assertions bite)', async () => {
  for (const [key, msg] of [
    ['headerHash', 'header hash (sha256ToField of the header)'],
    ['blockHash', 'block hash (poseidon2 of the header)'],
    ['txEffectHash', 'tx effect hash'],
  ] as const) {
    const v = vectors();
    v[key] += 1n;
    await assert.rejects(noir.execute(toAbi(VectorsSchema, v) as never), (e: Error) => e.message.includes(msg));
  }
  const w = vectors();
  [w.blockRollupFlat[20], w.blockRollupFlat[21]] = [w.blockRollupFlat[21]!, w.blockRollupFlat[20]!];
  await assert.rejects(noir.execute(toAbi(VectorsSchema, w) as never), /BlockRollupOutputs.flatten order/);
  const v = vectors();
  v.p2Out[8]! += 1n;
  await assert.rejects(noir.execute(toAbi(VectorsSchema, v) as never), /poseidon2 of 21 inputs/);
});

test('circuits/lib constants.nr mirrors src/protocol/constants.ts', () => {
  const nr = readFileSync(root + 'circuits/lib/src/constants.nr', 'utf8');
  const globals = new Map([...nr.matchAll(/pub global (\w+): \w+ = ([0-9a-fx]+);/g)].map((m) => [m[1]!, BigInt(m[2]!)]));
  const names = [
    'NOTE_HASH_TREE_HEIGHT', 'NULLIFIER_TREE_HEIGHT', 'PUBLIC_DATA_TREE_HEIGHT', 'L1_TO_L2_MSG_TREE_HEIGHT', 'ARCHIVE_TREE_HEIGHT',
    'VK_TREE_HEIGHT', 'MAX_NOTE_HASHES_PER_TX', 'MAX_NULLIFIERS_PER_TX', 'MAX_L2_TO_L1_MSGS_PER_TX', 'L1_TO_L2_MSGS_PER_BLOCK',
    'L1_TO_L2_MSGS_PER_PARITY_BASE', 'L1_TO_L2_MSG_SUBTREE_HEIGHT', 'L1_TO_L2_MSG_SUBTREE_SIBLING_PATH_LENGTH', 'NOTE_HASH_SUBTREE_HEIGHT',
    'NOTE_HASH_SUBTREE_SIBLING_PATH_LENGTH', 'MAX_BLOCKS_PER_EPOCH', 'MAX_TXS_PER_BLOCK', 'TX_EFFECT_LENGTH', 'HEADER_LENGTH',
    'ROOT_PUBLIC_INPUTS_LENGTH', 'TX_PUBLIC_OUTPUTS_LENGTH', 'PARITY_OUTPUTS_LENGTH', 'TX_ROLLUP_OUTPUTS_LENGTH',
    'BLOCK_ROLLUP_OUTPUTS_LENGTH', 'PROOF_LENGTH', 'VK_LENGTH', 'PROOF_TYPE_HONK_ZK',
  ] as const;
  for (const n of names) assert.equal(globals.get(n), BigInt((C as Record<string, unknown>)[n] as number), n);
  // VK indices follow CIRCUIT_NAMES
  const idx = (n: string) => globals.get(`${n.toUpperCase().replace(/-/g, '_')}_VK_INDEX`);
  ['tx', 'parity-base', 'parity-root', 'base', 'merge', 'block-root', 'block-merge', 'root', 'root-single', 'block-root-empty'].forEach((n, i) => assert.equal(idx(n), BigInt(i), n));
  assert.equal(globals.get('EMPTY_SUBTREE_ROOT_HEIGHT_2'), zeroHashes(2)[2]);
  assert.equal(globals.get('EMPTY_SUBTREE_ROOT_HEIGHT_4'), zeroHashes(4)[4]);
});
