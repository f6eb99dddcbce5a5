// The TypeScript ZK UltraHonk verifier (plugins/circuit-prover/src/honk) against proofs bb makes
// under the dev CRS: a fresh tx proof verifies with the dev CRS's [x]_2 and not with Ignition's
// (neither does `bb verify`, which pins Ignition's); every tampered proof part, public input and VK
// entry fails; another circuit's proof fails against the tx VK; the worker-pool TxProofVerifier
// agrees. A recursive proof (base, over the tx proof) verifies too: its nested pairing points are
// folded into the final pairing, and moving them fails it. It also checks that the committed fixture the unit tests verify without bb is current
// (QUETZAL_UPDATE_FIXTURES=1 rewrites it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import {
  IGNITION_G2,
  NativeTxProofVerifier,
  crsG2,
  g2Point,
  loadProofFixture,
  prepareVk,
  saveProofFixture,
  tamperedProofs,
  tamperedVks,
  verifyZkProof,
  type NativeCircuitProver,
} from '@quetzal/circuit-prover';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import { blockConstants, buildBaseInputs, buildParityBaseInputs } from '@quetzal/protocol/circuits/block-building';
import { TestWorld } from '@quetzal/protocol/circuits/fixtures';
import { buildTxCircuitInputs, feePayerOf, Tx } from '@quetzal/protocol/tx';
import { bbVerify, devProver } from './native.js';

const MIN = 60_000;
let prover: NativeCircuitProver;
before(async () => {
  prover = await devProver();
}, { timeout: 20 * MIN });
after(() => prover?.stop());

test('dev CRS: bb-made tx proofs verify with the dev [x]_2 only; every tampered field and another circuit fail', { timeout: 20 * MIN }, async () => {
  const vk = await prover.getVerificationKey('tx');
  const secret = 77n;
  const proven = await prover.proveTx(buildTxCircuitInputs({ secret, nonce: BigInt(Date.now()), chainId: 31337n, version: 1n, transactionFee: 3n, noteHashes: [5n], l2ToL1Msgs: [{ recipient: 1n, content: 6n }] }));
  const { proof, publicInputs } = proven;
  const key = prepareVk(vk.fields);
  const dev = g2Point(await crsG2(prover.crs, pino({ level: 'silent' })));
  const ignition = g2Point(IGNITION_G2);

  assert.deepEqual(verifyZkProof(key, proof, publicInputs, dev), { valid: true });
  assert.deepEqual(verifyZkProof(key, proof, publicInputs, ignition), { valid: false, reason: 'the pairing check failed' }, "Ignition's [x]_2 refuses a dev-CRS proof");
  assert.equal(await bbVerify(prover, 'tx', proof, publicInputs), false, "and so does bb's own verifier, which pins Ignition's [x]_2");

  for (const t of tamperedProofs(proof)) assert.equal(verifyZkProof(key, t.proof, publicInputs, dev).valid, false, `tampered ${t.what} must fail`);
  publicInputs.forEach((_, i) => {
    const tampered = publicInputs.map((v, j) => (j === i ? v + 1n : v));
    assert.equal(verifyZkProof(key, proof, tampered, dev).valid, false, `tampered public input ${i} must fail`);
  });
  for (const t of tamperedVks(vk.fields)) {
    let verdict;
    try {
      verdict = verifyZkProof(prepareVk(t.vk), proof, publicInputs, dev);
    } catch {
      continue; // a VK that does not even parse is refused too
    }
    assert.equal(verdict.valid, false, `tampered VK ${t.what} must fail`);
  }

  const [parityInputs] = buildParityBaseInputs([11n, 12n], 7n); // any non-zero VK tree root
  const parity = await prover.proveParityBase(parityInputs!);
  assert.equal(verifyZkProof(key, parity.proof, publicInputs, dev).valid, false, "a parity-base proof is not a tx proof");
  assert.deepEqual(verifyZkProof(prepareVk((await prover.getVerificationKey('parity-base')).fields), parity.proof, parity.publicInputs, dev), { valid: true }, 'though it verifies against its own VK');

  // The worker-pool verifier the sequencer uses
  const txProofs = new NativeTxProofVerifier({ vk: async () => vk.fields, g2: await crsG2(prover.crs, pino({ level: 'silent' })), workers: 1, logger: pino({ level: 'silent' }) });
  try {
    assert.deepEqual(await txProofs.verifyTxProof(new Tx(proven.publicOutputs, proof)), { valid: true });
    const forged = new Tx(proven.publicOutputs, tamperedProofs(proof).at(-1)!.proof);
    assert.deepEqual(await txProofs.verifyTxProof(forged), { valid: false, reason: 'the pairing check failed' });
  } finally {
    await txProofs.stop();
  }

  // The committed fixture: the same VK (same circuit, same CRS), and it still verifies
  if (process.env.QUETZAL_UPDATE_FIXTURES === '1') {
    saveProofFixture({ crsId: prover.crs.id, vk: vk.fields, proof, publicInputs, other: { circuit: 'parity-base', proof: parity.proof, publicInputs: parity.publicInputs } });
  }
  const fixture = loadProofFixture();
  assert.equal(fixture.crsId, prover.crs.id, 'the fixture was made under another CRS: rerun this file with QUETZAL_UPDATE_FIXTURES=1');
  assert.deepEqual(fixture.vk, vk.fields, "the tx circuit's VK changed since the fixture was made: rerun this file with QUETZAL_UPDATE_FIXTURES=1");
  assert.deepEqual(verifyZkProof(key, fixture.proof, fixture.publicInputs, dev), { valid: true });
});

test('dev CRS: a recursive proof verifies with its nested pairing points folded in; moved ones fail', { timeout: 30 * MIN }, async () => {
  const vkTree = await prover.getVkTree();
  const secret = 78n;
  const tx = await prover.proveTx(buildTxCircuitInputs({ secret, nonce: 1n, chainId: 31337n, version: 1n, transactionFee: 2n }));
  const world = TestWorld.genesis({ chainId: 31337n, version: 1n, balances: [[feePayerOf(secret), 100n]] });
  const constants = blockConstants(world.archiveSnapshot(), new GlobalVariables(31337n, 1n, 1n, 1n, 1n, 0n), vkTree.root);
  const base = await prover.proveBase(await buildBaseInputs(world.fork(), { tx: tx.publicOutputs, txProof: childProofOf(tx, vkTree), constants }));
  const key = prepareVk((await prover.getVerificationKey('base')).fields);
  const dev = g2Point(await crsG2(prover.crs, pino({ level: 'silent' })));
  assert.ok(base.proof.slice(0, 8).some((l) => l !== 0n), 'a recursive proof carries pairing points');
  assert.deepEqual(verifyZkProof(key, base.proof, base.publicInputs, dev), { valid: true });
  // Swap the two deferred points (both still valid points): the transcript and the pairing both see it
  const swapped = [...base.proof.slice(4, 8), ...base.proof.slice(0, 4), ...base.proof.slice(8)];
  assert.equal(verifyZkProof(key, swapped, base.publicInputs, dev).valid, false);
  for (const t of tamperedProofs(base.proof)) assert.equal(verifyZkProof(key, t.proof, base.publicInputs, dev).valid, false, `tampered base ${t.what}`);
});
