// Real bb (no proofs of the big circuits): the facts the circuits rely on, measured with the stock
// bb binary and the real-proof suites' dev CRS.
//  - bb's VK hash (`vk_hash`) is poseidon2 of the VK fields (ChildProof.verify checks it in Noir);
//  - a proof's public inputs are the circuit's return struct flattened in declaration order;
//  - proof and VK lengths are PROOF_LENGTH and VK_LENGTH (target noir-recursive).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultBbPath, ensureCrs, WitnessGenerator } from '@quetzal/circuit-prover';
import { PROOF_LENGTH, VK_LENGTH } from '@quetzal/protocol/constants';
import { poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';
import { bytesToFields } from '@quetzal/protocol/hash/sha256';
import { circuitArtifactPath } from '@quetzal/protocol/circuits/artifacts';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { buildTxCircuitInputs } from '@quetzal/protocol/tx';
import { TEST_DATA_DIR, testLogger } from '../real/native.js';

const dir = mkdtempSync(join(tmpdir(), 'quetzal-bb-'));

before(() => ensureCircuitsBuilt());

test('bb: vk_hash = poseidon2(vk fields); public inputs = flattened outputs; proof/VK lengths', { timeout: 120_000 }, async () => {
  // the suites' shared dev CRS (the tx circuit needs 2^16 points)
  const crs = (await ensureCrs({ mode: 'dev', dataDir: TEST_DATA_DIR, logger: testLogger })).dir;
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
