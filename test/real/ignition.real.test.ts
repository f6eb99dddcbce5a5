// Under the Ignition CRS the native prover verifies every proof it makes with bb (off-chain), and
// `bb verify` is the reference for the TypeScript verifier of client proofs. The Ignition points
// cannot be downloaded offline, so this runs only when a provisioned copy exists:
// QUETZAL_IGNITION_CRS_PATH, else bb's own default ~/.bb-crs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { inspectCrs, createNativeProver, crsG2, g2Point, IGNITION_G2, prepareVk, tamperedProofs, verifyZkProof, type NativeCircuitProver } from '@quetzal/circuit-prover';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import { blockConstants, buildBaseInputs } from '@quetzal/protocol/circuits/block-building';
import { TestWorld, ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { buildTxCircuitInputs, feePayerOf } from '@quetzal/protocol/tx';
import { TEST_DATA_DIR, bbVerify, testLogger } from './native.js';

const crsPath = process.env.QUETZAL_IGNITION_CRS_PATH ?? join(homedir(), '.bb-crs');
const status = inspectCrs({ mode: 'ignition', crsPath });
const skip = status.sufficient
  ? false
  : `no usable Ignition CRS (${status.problem}); provision Aztec's Ignition bn254_g1.dat (2^21 points, 128 MiB) and set QUETZAL_IGNITION_CRS_PATH to its directory`;

let prover: NativeCircuitProver | undefined;
after(() => prover?.stop());

async function ignitionProver(): Promise<NativeCircuitProver> {
  await ensureCircuitsBuilt();
  prover ??= await createNativeProver({ crs: { mode: 'ignition', crsPath }, dataDir: TEST_DATA_DIR, logger: testLogger, threads: availableParallelism() });
  return prover;
}

test('ignition: tx and base proofs, each verified off-chain by bb as it is made', { skip, timeout: 40 * 60_000 }, async () => {
  const prover = await ignitionProver();
  const vkTree = await prover.getVkTree();
  const secret = 9n;
  const world = TestWorld.genesis({ chainId: 1n, version: 1n, balances: [[feePayerOf(secret), 1000n]] });
  const tx = await prover.proveTx(buildTxCircuitInputs({ secret, nonce: 1n, chainId: 1n, version: 1n, transactionFee: 10n, noteHashes: [1n], extraNullifiers: [], l2ToL1Msgs: [] }));
  const constants = blockConstants(world.archiveSnapshot(), new GlobalVariables(1n, 1n, 1n, 1n, 1n, 0n), vkTree.root);
  // prove() throws when bb's verifier rejects the proof it just made
  const base = await prover.proveBase(await buildBaseInputs(world.fork(), { tx: tx.publicOutputs, txProof: childProofOf(tx, vkTree), constants }));
  assert.equal(base.publicOutputs.accumulatedFees, 10n);
});

test('ignition: the TypeScript verifier agrees with bb verify on tx proofs, valid and tampered', { skip, timeout: 20 * 60_000 }, async () => {
  const prover = await ignitionProver();
  assert.deepEqual(await crsG2(prover.crs, testLogger), IGNITION_G2, "the provisioned CRS's [x]_2 is Ignition's");
  const key = prepareVk((await prover.getVerificationKey('tx')).fields);
  const g2 = g2Point(IGNITION_G2);
  const tx = await prover.proveTx(buildTxCircuitInputs({ secret: 5n, nonce: 3n, chainId: 1n, version: 1n, transactionFee: 1n, noteHashes: [2n], extraNullifiers: [], l2ToL1Msgs: [{ recipient: 1n, content: 8n }] }));
  const cases = [{ what: 'the valid proof', proof: tx.proof }, ...tamperedProofs(tx.proof)];
  for (const c of cases) {
    const ours = verifyZkProof(key, c.proof, tx.publicInputs, g2).valid;
    assert.equal(ours, await bbVerify(prover, 'tx', c.proof, tx.publicInputs), `ours and bb verify disagree on ${c.what}`);
    assert.equal(ours, c.proof === tx.proof, c.what);
  }
});
