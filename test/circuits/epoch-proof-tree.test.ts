// A simulated proof tree for an epoch of 2 blocks x 3 txs with L1->L2 messages: the root's public
// outputs equal an independent TypeScript computation of the epoch's public inputs (SPEC.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { BlockHeader, ContentCommitment, GlobalVariables } from '@quetzal/protocol/block/header';
import { TxEffect } from '@quetzal/protocol/block/tx-effect';
import { blockHash } from '@quetzal/protocol/block/block-hash';
import { blockOutHash, computeInHash, txsEffectsHash } from '@quetzal/protocol/block/body';
import { poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';
import { largestPowerOfTwoBelow } from '@quetzal/protocol/hash/sha256';
import { RootRollupPublicInputs, computeEpochOutHash } from '@quetzal/protocol/root-public-inputs';
import { buildTxCircuitInputs, feePayerOf } from '@quetzal/protocol/tx';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import {
  buildBaseInputs,
  buildBlockMergeInputs,
  buildBlockRootInputs,
  buildMergeInputs,
  buildParityBaseInputs,
  buildParityRootInputs,
  buildRootInputs,
  buildRootSingleInputs,
} from '@quetzal/protocol/circuits/block-building';
import { globalVariablesToCircuit, rootOutputsToPublicInputs, snapshotToCircuit } from '@quetzal/protocol/circuits/convert';
import { TestWorld, ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import type { CircuitProofResult } from '@quetzal/protocol/circuit-prover';

const chainId = 31337n;
const version = 1n;
const proverId = 0xabcdef0123456789abcdef0123456789abcdef01n;
const secrets = [11n, 22n, 33n];

test('epoch of 2 blocks x 3 txs: root public outputs match the independent TypeScript computation', async () => {
  await ensureCircuitsBuilt();
  const prover = new SimulatedCircuitProver();
  const vkTree = await prover.getVkTree();
  const world = TestWorld.genesis({ chainId, version, balances: secrets.map((s) => [feePayerOf(s), 1_000_000n] as const) });
  const previousArchiveRoot = world.archive.root();
  const blockResults: CircuitProofResult<'block-root'>[] = [];
  const expectedHeaders: BlockHeader[] = [];

  for (let b = 1; b <= 2; b++) {
    const globals = new GlobalVariables(chainId, version, BigInt(b), BigInt(10 + b), BigInt(1_700_000_000 + b * 36), 0x1000n + BigInt(b));
    const lastArchive = world.archiveSnapshot();
    const constants = { lastArchive: snapshotToCircuit(lastArchive), globalVariables: globalVariablesToCircuit(globals), vkTreeRoot: vkTree.root };
    const messages = Array.from({ length: 5 + b }, (_, i) => BigInt(1000 * b + i + 1));

    // txs: client proofs, then base rollups in order
    const bases: CircuitProofResult<'base'>[] = [];
    const effects: TxEffect[] = [];
    let fees = 0n;
    for (let t = 0; t < 3; t++) {
      const fee = BigInt(100 * b + t);
      fees += fee;
      const txInputs = buildTxCircuitInputs({
        secret: secrets[t]!,
        nonce: BigInt(b),
        chainId,
        version,
        transactionFee: fee,
        noteHashes: [BigInt(b * 100 + t * 10 + 1), BigInt(b * 100 + t * 10 + 2)],
        extraNullifiers: t === 1 ? [BigInt(b * 1_000_000 + 7)] : [],
        l2ToL1Msgs: t === 2 ? [{ recipient: 0xa11ce0000000000000000000000000000000000an, content: BigInt(b * 555) }] : [],
      });
      const txResult = await prover.proveTx(txInputs);
      const o = txResult.publicOutputs;
      // independent: txHash = poseidon2 of the public outputs in SPEC order
      const txHash = poseidon2Hash([o.chainId, o.version, o.transactionFee, o.feePayer, ...o.noteHashes, ...o.nullifiers, ...o.l2ToL1Msgs]);
      effects.push(new TxEffect(txHash, o.transactionFee, o.feePayer, o.noteHashes, o.nullifiers, o.l2ToL1Msgs));
      const baseInputs = await buildBaseInputs(world.fork(), { tx: o, txProof: childProofOf(txResult, vkTree), constants });
      bases.push(await prover.proveBase(baseInputs));
    }
    // the canonical (wonky) tx tree
    const mergeRange = async (xs: CircuitProofResult<'base' | 'merge'>[]): Promise<CircuitProofResult<'base' | 'merge'>> => {
      if (xs.length === 1) return xs[0]!;
      const k = largestPowerOfTwoBelow(xs.length);
      const [l, r] = [await mergeRange(xs.slice(0, k)), await mergeRange(xs.slice(k))];
      return prover.proveMerge(buildMergeInputs(l, r, vkTree));
    };
    const txs = await mergeRange(bases);

    const [pb0, pb1] = buildParityBaseInputs(messages, vkTree.root);
    const parity = await prover.proveParityRoot(
      buildParityRootInputs(await prover.proveParityBase(pb0!), await prover.proveParityBase(pb1!), vkTree),
    );
    const previousHeader = world.lastHeader;
    const finished = await world.finishBlock({ txEffects: effects, l1ToL2Messages: messages, globals });
    const blockRoot = await prover.proveBlockRoot(buildBlockRootInputs({ txs, parity, previousHeader, witness: finished.witness, vkTree }));

    // independent header, from the protocol's own classes and the reference trees
    const header = new BlockHeader(
      lastArchive,
      new ContentCommitment(3n, txsEffectsHash(effects), computeInHash(messages), blockOutHash(effects)),
      world.stateReference(),
      globals,
      fees,
    );
    assert.equal(blockRoot.publicOutputs.headerHashes[0], header.hash(), `block ${b}: header hash`);
    assert.equal(finished.header.hash(), header.hash(), `block ${b}: block building's header`);
    assert.equal(blockRoot.publicOutputs.newArchive.root, world.archive.root(), `block ${b}: archive root`);
    assert.equal(world.archive.getLeaf(b), blockHash(header));
    blockResults.push(blockRoot);
    expectedHeaders.push(header);
  }

  const expected = new RootRollupPublicInputs(
    previousArchiveRoot,
    world.archive.root(),
    expectedHeaders.map((h) => h.hash()),
    expectedHeaders.map((h) => ({ recipient: h.globalVariables.coinbase, value: h.totalFees })),
    computeEpochOutHash(expectedHeaders.map((h) => h.contentCommitment.outHash)),
    vkTree.root,
    proverId,
    chainId,
    version,
  );

  const root = await prover.proveRoot(buildRootInputs(blockResults[0]!, blockResults[1]!, proverId, vkTree));
  assert.deepEqual(root.publicInputs, expected.toFields());
  assert.deepEqual(rootOutputsToPublicInputs(root.publicOutputs).toFields(), expected.toFields());

  // the same epoch as root-single over a block-merge
  const merged = await prover.proveBlockMerge(buildBlockMergeInputs(blockResults[0]!, blockResults[1]!, vkTree));
  const single = await prover.proveRootSingle(buildRootSingleInputs(merged, proverId, vkTree));
  assert.deepEqual(single.publicInputs, expected.toFields());
});
