// The fork builders (async, over a WorldStateFork) build exactly the inputs the reference-tree
// builders build, leave the state in the same place, and the circuits accept them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import { buildBaseInputs, buildBlockRootEmptyInputs, buildParityBaseInputs, buildParityRootInputs } from '@quetzal/protocol/circuits/builders';
import { buildBaseInputsFromFork, buildBlockRootEmptyInputsFromFork } from '@quetzal/protocol/circuits/fork-builders';
import { globalVariablesToCircuit, snapshotToCircuit } from '@quetzal/protocol/circuits/convert';
import { TestWorld, ensureCircuitsBuilt, forkOfTestWorld } from '@quetzal/protocol/circuits/fixtures';
import { buildTxCircuitInputs, feePayerOf } from '@quetzal/protocol/tx';

test('fork builders = reference builders, and the circuits accept their inputs', async () => {
  await ensureCircuitsBuilt();
  const prover = new SimulatedCircuitProver();
  const vkTree = await prover.getVkTree();
  const make = () => TestWorld.genesis({ chainId: 1n, version: 1n, balances: [[feePayerOf(3n), 500n], [feePayerOf(4n), 500n]] });
  const [a, b] = [make(), make()];
  const fork = forkOfTestWorld(b);
  const globals = new GlobalVariables(1n, 1n, 1n, 1n, 100n, 9n);
  const constants = { lastArchive: snapshotToCircuit(a.archiveSnapshot()), globalVariables: globalVariablesToCircuit(globals), vkTreeRoot: vkTree.root };
  for (const [secret, extra] of [[3n, [0n, 77n]], [4n, []]] as const) {
    // a zero between nullifiers: skipped, and the witnesses stay aligned with the array
    const txr = await prover.proveTx(buildTxCircuitInputs({ secret, nonce: 1n, chainId: 1n, version: 1n, transactionFee: 20n, noteHashes: [secret], extraNullifiers: extra }));
    const args = { tx: txr.publicOutputs, txProof: childProofOf(txr, vkTree), constants };
    const sync = buildBaseInputs({ ...args, trees: a.trees });
    const async_ = await buildBaseInputsFromFork(fork, args);
    assert.deepEqual(async_, sync);
    await prover.proveBase(async_);
  }
  assert.deepEqual(b.stateReference(), a.stateReference());
  // a duplicate nullifier is refused and leaves the fork's nullifier tree unchanged
  const dup = await prover.proveTx(buildTxCircuitInputs({ secret: 3n, nonce: 1n, chainId: 1n, version: 1n, transactionFee: 0n }));
  const before = b.stateReference();
  await assert.rejects(buildBaseInputsFromFork(fork, { tx: dup.publicOutputs, txProof: childProofOf(dup, vkTree), constants }), /nullifier already exists/);
  const poor = await prover.proveTx(buildTxCircuitInputs({ secret: 4n, nonce: 2n, chainId: 1n, version: 1n, transactionFee: 10_000n }));
  await assert.rejects(buildBaseInputsFromFork(fork, { tx: poor.publicOutputs, txProof: childProofOf(poor, vkTree), constants }), /below the fee/);
  assert.deepEqual(b.stateReference(), before);

  const [p0, p1] = buildParityBaseInputs([5n], vkTree.root);
  const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(p0!), await prover.proveParityBase(p1!), vkTree));
  const common = { constants, parity, previousHeader: a.lastHeader, l1ToL2Messages: [5n], vkTree };
  const sync = buildBlockRootEmptyInputs({ ...common, archive: a.archive, l1ToL2: a.l1ToL2 });
  const async_ = await buildBlockRootEmptyInputsFromFork(fork, common);
  assert.deepEqual(async_, sync);
  assert.equal(b.l1ToL2.root(), a.l1ToL2.root());
});
