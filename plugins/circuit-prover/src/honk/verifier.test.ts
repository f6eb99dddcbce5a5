// The UltraHonk verifier on a committed bb proof of the tx circuit (dev CRS; made and kept current
// by test/real/tx-proof-verifier.real.test.ts), so these run without bb.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { PROOF_LENGTH, VK_LENGTH } from '@quetzal/protocol/constants';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { Tx } from '@quetzal/protocol/tx';
import { TxPublicOutputsSchema } from '@quetzal/protocol/circuits/structs';
import { unflatten } from '@quetzal/protocol/circuits/abi';
import { devTau, g2Bytes } from '../crs/dev-crs.js';
import { IGNITION_G2, g2Point } from '../crs/g2.js';
import { NativeTxProofVerifier } from '../tx-proof-verifier.js';
import { VK_FIELDS, zkProofLength } from './encoding.js';
import { loadProofFixture, tamperedProofs, tamperedVks } from './test-fixture.js';
import { prepareVk, verifyZkProof } from './verifier.js';

const fixture = loadProofFixture();
const devG2 = g2Bytes(devTau());
const dev = g2Point(devG2);
const vk = prepareVk(fixture.vk);

test("bb 5.0.0's noir-recursive sizes are the protocol's", () => {
  assert.equal(zkProofLength(), PROOF_LENGTH);
  assert.equal(VK_FIELDS, VK_LENGTH);
});

test("a bb proof made under the dev CRS verifies with the dev [x]_2, not with Ignition's", () => {
  assert.deepEqual(verifyZkProof(vk, fixture.proof, fixture.publicInputs, dev), { valid: true });
  assert.deepEqual(verifyZkProof(vk, fixture.proof, fixture.publicInputs, g2Point(IGNITION_G2)), { valid: false, reason: 'the pairing check failed' });
});

test('every tampered proof part, public input and VK entry is refused', () => {
  const tampered = tamperedProofs(fixture.proof);
  assert.equal(tampered.length, 2 * 22 - 16, 'the first and last element of each of the 22 parts (16 of them have one)');
  for (const t of tampered) assert.equal(verifyZkProof(vk, t.proof, fixture.publicInputs, dev).valid, false, `tampered ${t.what}`);
  // Tampering deep in the proof is caught where it should be: the KZG quotient only by the pairing
  const w = tampered.find((t) => t.what === 'kzgQuotient[0]')!;
  assert.deepEqual(verifyZkProof(vk, w.proof, fixture.publicInputs, dev), { valid: false, reason: 'the pairing check failed' });
  fixture.publicInputs.forEach((_, i) => {
    const inputs = fixture.publicInputs.map((v, j) => (j === i ? v + 1n : v));
    assert.equal(verifyZkProof(vk, fixture.proof, inputs, dev).valid, false, `tampered public input ${i}`);
  });
  for (const t of tamperedVks(fixture.vk)) {
    let verdict;
    try {
      verdict = verifyZkProof(prepareVk(t.vk), fixture.proof, fixture.publicInputs, dev);
    } catch (e) {
      assert.match((e as Error).message, /verification key/, `tampered VK ${t.what} is refused at parsing`);
      continue;
    }
    assert.equal(verdict.valid, false, `tampered VK ${t.what}`);
  }
});

test("another circuit's proof is refused by the tx circuit's VK", () => {
  const { proof, publicInputs } = fixture.other;
  assert.match(String((verifyZkProof(vk, proof, publicInputs, dev) as { reason?: string }).reason), /public inputs, the circuit has 14/);
  assert.equal(verifyZkProof(vk, proof, fixture.publicInputs, dev).valid, false);
});

test('malformed proofs get a verdict with the reason, never an exception', () => {
  const bad = (proof: bigint[], inputs = fixture.publicInputs) => (verifyZkProof(vk, proof, inputs, dev) as { valid: false; reason: string }).reason;
  assert.match(bad(fixture.proof.slice(1)), /proof has 457 fields, a ZK UltraHonk proof .* has 458/);
  assert.match(bad(fixture.proof.map((f, i) => (i === 30 ? FIELD_MODULUS : f))), /proof field 30 is not below the BN254 scalar modulus/);
  assert.match(bad(fixture.proof.map((f, i) => (i === 8 ? f + 1n : f))), /proof commitment geminiMasking is not a point of BN254 G1/);
  assert.match(bad(fixture.proof.map((f, i) => (i === 8 ? 1n << 136n : f))), /geminiMasking: low limb is not below 2\^136/);
  assert.match(bad(fixture.proof, [...fixture.publicInputs.slice(1), FIELD_MODULUS]), /public input 13 is not below the BN254 scalar modulus/);
  let seed = 1n;
  const random = Array.from({ length: PROOF_LENGTH }, () => (seed = (seed * 6364136223846793005n + 1442695040888963407n) % FIELD_MODULUS));
  assert.equal(verifyZkProof(vk, random, fixture.publicInputs, dev).valid, false);
  assert.equal(verifyZkProof(vk, Array<bigint>(PROOF_LENGTH).fill(0n), fixture.publicInputs, dev).valid, false, 'the simulated placeholder proof');
});

test('the TxProofVerifier verifies on a worker thread, leaving the event loop free', { timeout: 120_000 }, async () => {
  const outputs = unflatten(TxPublicOutputsSchema, fixture.publicInputs);
  const txProofs = new NativeTxProofVerifier({ vk: async () => fixture.vk, g2: devG2, workers: 1, logger: pino({ level: 'silent' }) });
  try {
    assert.deepEqual(await txProofs.verifyTxProof(new Tx(outputs, fixture.proof)), { valid: true });
    const forged = new Tx(outputs, tamperedProofs(fixture.proof).at(-1)!.proof);
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    spin();
    const verdicts = await Promise.all([txProofs.verifyTxProof(forged), txProofs.verifyTxProof(new Tx(outputs, fixture.proof))]);
    done = true;
    assert.deepEqual(verdicts, [{ valid: false, reason: 'the pairing check failed' }, { valid: true }]);
    assert.ok(turns > 10, `the main thread kept turning while two proofs were verified (${turns} turns)`);
  } finally {
    await txProofs.stop();
  }
});
