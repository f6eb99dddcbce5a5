// The one block-building path (src/protocol/circuits/block-building.ts) over the two tree
// implementations, the in-memory reference trees and an LMDB world-state fork: the same inputs,
// the same state after, refusals that change nothing, and circuits that accept what it builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { LmdbWorldState } from '@quetzal/world-state';
import { AppendOnlyTreeSnapshot, GlobalVariables } from '@quetzal/protocol/block/header';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import {
  blockConstants,
  buildBaseInputs,
  buildBlockRootInputs,
  buildMergeInputs,
  buildParityBaseInputs,
  buildParityRootInputs,
  finishBlock,
  TxNotApplicableError,
  type BuilderFork,
} from '@quetzal/protocol/circuits/block-building';
import { TestWorld, ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { buildTxCircuitInputs, feePayerOf, Tx } from '@quetzal/protocol/tx';

test('reference trees and an LMDB fork build the same inputs and block; refusals change nothing; the circuits accept', async () => {
  await ensureCircuitsBuilt();
  const prover = new SimulatedCircuitProver();
  const vkTree = await prover.getVkTree();
  const balances = [[feePayerOf(3n), 500n], [feePayerOf(4n), 500n]] as const;
  const world = TestWorld.genesis({ chainId: 1n, version: 1n, balances });
  const dir = mkdtempSync(join(tmpdir(), 'qz-block-building-'));
  const ws = await LmdbWorldState.open(dir, { genesis: { publicData: balances.map(([slot, value]) => ({ slot, value })), chainId: 1n, version: 1n } });
  try {
    const lmdb = await ws.fork(0);
    const forks: BuilderFork[] = [world.fork(), lmdb];
    const state = async () => Promise.all(forks.map((f) => f.getStateReference()));
    const [ref0, lmdb0] = await state();
    assert.deepEqual(lmdb0, ref0, 'same genesis');

    const globals = new GlobalVariables(1n, 1n, 1n, 1n, 100n, 9n);
    const constants = blockConstants(AppendOnlyTreeSnapshot.of(ref0!.archive), globals, vkTree.root);
    const bases = [];
    const effects = [];
    for (const [secret, extra] of [[3n, [0n, 77n]], [4n, []]] as const) {
      // a zero between nullifiers: skipped, and the witnesses stay aligned with the array
      const txr = await prover.proveTx(buildTxCircuitInputs({ secret, nonce: 1n, chainId: 1n, version: 1n, transactionFee: 20n, noteHashes: [secret], extraNullifiers: extra }));
      const args = { tx: txr.publicOutputs, txProof: childProofOf(txr, vkTree), constants };
      const [a, b] = await Promise.all(forks.map((f) => buildBaseInputs(f, args)));
      assert.deepEqual(b, a);
      bases.push(await prover.proveBase(a!));
      effects.push(new Tx(txr.publicOutputs, txr.proof).toEffect());
    }
    const [ref1, lmdb1] = await state();
    assert.deepEqual(lmdb1, ref1);

    // refused before anything is written: a spent nullifier, a fee above the balance, another chain
    const refusals = [
      [buildTxCircuitInputs({ secret: 3n, nonce: 1n, chainId: 1n, version: 1n, transactionFee: 0n }), /nullifier 0x[0-9a-f]+ already exists \(double spend\)/],
      [buildTxCircuitInputs({ secret: 4n, nonce: 2n, chainId: 1n, version: 1n, transactionFee: 10_000n }), /has balance 480, below the fee 10000/],
      [buildTxCircuitInputs({ secret: 4n, nonce: 3n, chainId: 2n, version: 1n, transactionFee: 1n }), /is for chain 2 version 1, the block is chain 1 version 1/],
    ] as const;
    for (const [inputs, reason] of refusals) {
      const txr = await prover.proveTx(inputs);
      for (const f of forks) {
        await assert.rejects(buildBaseInputs(f, { tx: txr.publicOutputs, txProof: childProofOf(txr, vkTree), constants }), (e: unknown) => e instanceof TxNotApplicableError && reason.test(e.message));
      }
    }
    assert.deepEqual(await state(), [ref1, lmdb1], 'refusals changed nothing');

    const previousHeader = world.lastHeader;
    const finished = await world.finishBlock({ txEffects: effects, l1ToL2Messages: [5n], globals });
    assert.deepEqual(await finishBlock(lmdb, { txEffects: effects, l1ToL2Messages: [5n], globals }), finished);

    const txs = await prover.proveMerge(buildMergeInputs(bases[0]!, bases[1]!, vkTree));
    const [p0, p1] = buildParityBaseInputs([5n], vkTree.root);
    const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(p0!), await prover.proveParityBase(p1!), vkTree));
    const blockRoot = await prover.proveBlockRoot(buildBlockRootInputs({ txs, parity, previousHeader, witness: finished.witness, vkTree }));
    assert.equal(blockRoot.publicOutputs.headerHashes[0], finished.header.hash());
    assert.equal(blockRoot.publicOutputs.newArchive.root, finished.archive.root);
    await lmdb.close();
  } finally {
    await ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
