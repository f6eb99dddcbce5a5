// Real bb (no proofs of the big circuits): the facts the circuits rely on, measured with the stock
// bb binary and a tiny throw-away CRS (4096 points from a fixed, INSECURE tau; test only).
//  - bb's VK hash (`vk_hash`) is poseidon2 of the VK fields (ChildProof.verify checks it in Noir);
//  - a proof's public inputs are the circuit's return struct flattened in declaration order;
//  - proof and VK lengths are PROOF_LENGTH and VK_LENGTH (target noir-recursive).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bn254 } from '@noble/curves/bn254.js';
import { defaultBbPath, WitnessGenerator } from '@quetzal/circuit-prover';
import { PROOF_LENGTH, VK_LENGTH } from '@quetzal/protocol/constants';
import { poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';
import { bytesToFields, toBytes32 } from '@quetzal/protocol/hash/sha256';
import { circuitArtifactPath } from '@quetzal/protocol/circuits/artifacts';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { buildTxCircuitInputs } from '@quetzal/protocol/tx';

const dir = mkdtempSync(join(tmpdir(), 'quetzal-bb-'));

function tinyCrs(points: number): string {
  const crs = join(dir, 'crs');
  mkdirSync(crs);
  const r = bn254.fields.Fr.ORDER;
  const tau = 0x1234567890abcdefn;
  const g1 = new Uint8Array(points * 64);
  let t = 1n;
  for (let i = 0; i < points; i++) {
    const p = bn254.G1.Point.BASE.multiply(t).toAffine();
    g1.set(toBytes32(p.x), 64 * i);
    g1.set(toBytes32(p.y), 64 * i + 32);
    t = (t * tau) % r;
  }
  writeFileSync(join(crs, 'bn254_g1.dat'), g1);
  const g2 = bn254.G2.Point.BASE.multiply(tau).toAffine();
  writeFileSync(join(crs, 'bn254_g2.dat'), Buffer.concat([g2.x.c0, g2.x.c1, g2.y.c0, g2.y.c1].map((x) => toBytes32(x))));
  return crs;
}

before(() => ensureCircuitsBuilt());

test('bb: vk_hash = poseidon2(vk fields); public inputs = flattened outputs; proof/VK lengths', { timeout: 120_000 }, async () => {
  const crs = tinyCrs(4096 + 1);
  const bb = defaultBbPath();
  const inputs = buildTxCircuitInputs({ secret: 5n, nonce: 1n, chainId: 31337n, version: 1n, transactionFee: 10n, noteHashes: [3n] });
  const { witness, publicInputs } = await new WitnessGenerator().execute('tx', inputs);
  writeFileSync(join(dir, 'tx.gz'), witness);
  const out = join(dir, 'out');
  execFileSync(bb, ['write_vk', '-b', circuitArtifactPath('tx'), '-o', out, '-t', 'noir-recursive', '-c', crs], { stdio: 'pipe' });
  execFileSync(bb, ['prove', '-b', circuitArtifactPath('tx'), '-w', join(dir, 'tx.gz'), '-k', join(out, 'vk'), '-o', out, '-t', 'noir-recursive', '-c', crs], { stdio: 'pipe' });
  const vk = bytesToFields(readFileSync(join(out, 'vk')));
  const [vkHash] = bytesToFields(readFileSync(join(out, 'vk_hash')));
  assert.equal(vk.length, VK_LENGTH);
  assert.equal(vkHash, poseidon2Hash(vk));
  assert.deepEqual(bytesToFields(readFileSync(join(out, 'public_inputs'))), publicInputs);
  assert.equal(bytesToFields(readFileSync(join(out, 'proof'))).length, PROOF_LENGTH);
});
