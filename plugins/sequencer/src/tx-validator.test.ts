// TxValidator's rules, one by one, against a stub world state and a real pool: what validate()
// (a new tx) and revalidate() (a pooled tx back from a pruned block) accept, and the field each
// refusal names.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { buildTxCircuitInputs, feePayerOf, Tx, type TxRequest } from '@quetzal/protocol/tx';
import type { ProofVerdict, TxProofVerifier } from '@quetzal/protocol/tx-proof-verifier';
import type { WorldStateReader } from '@quetzal/protocol/world-state';
import { TxPool } from './tx-pool.js';
import { TxValidator } from './tx-validator.js';

const dir = mkdtempSync(join(tmpdir(), 'qz-validator-'));
const pool = new TxPool(join(dir, 'pool'));
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const FUNDED = 11n;
const balances = new Map([[feePayerOf(FUNDED), 100n]]);
const spent = new Set<bigint>();
const state = { findLeafIndex: async (_tree: unknown, v: bigint) => (spent.has(v) ? 1n : undefined), readPublicData: async (slot: bigint) => balances.get(slot) ?? 0n } as unknown as WorldStateReader;
let proofVerdict: ProofVerdict = { valid: true };
const proofs: TxProofVerifier = { kind: 'stub', verifyTxProof: async () => proofVerdict };
const validator = new TxValidator({ chainId: 1n, version: 1n, pool, state: () => state, proofs });

const tx = (req: Partial<TxRequest> = {}) =>
  new Tx(buildTxCircuitInputs({ secret: FUNDED, nonce: 1n, chainId: 1n, version: 1n, transactionFee: 10n, ...req }).effects, Array<bigint>(PROOF_LENGTH).fill(0n));
const refusal = async (t: Tx) => {
  const v = await validator.validate(t);
  assert.equal(v.accepted, false);
  return v.accepted ? undefined : { field: v.field, reason: v.reason };
};

test('structure and network: each refusal names its field', async () => {
  assert.deepEqual(await validator.validate(tx()), { accepted: true });
  assert.equal((await refusal(tx({ chainId: 2n })))?.field, 'chainId');
  assert.equal((await refusal(tx({ version: 9n })))?.field, 'version');
  const t = tx();
  assert.equal((await refusal(new Tx({ ...t.publicOutputs, transactionFee: 1n << 128n }, t.proof)))?.field, 'transactionFee');
  assert.equal((await refusal(new Tx({ ...t.publicOutputs, feePayer: 0n }, t.proof)))?.field, 'feePayer');
  assert.equal((await refusal(new Tx({ ...t.publicOutputs, nullifiers: [0n, 0n, 0n, 0n] }, t.proof)))?.field, 'nullifiers');
  assert.equal((await refusal(new Tx({ ...t.publicOutputs, noteHashes: [FIELD_MODULUS, 0n, 0n, 0n] }, t.proof)))?.field, 'publicOutputs');
  assert.equal((await refusal(new Tx(t.publicOutputs, t.proof.map((f, i) => (i === 3 ? FIELD_MODULUS : f)))))?.field, 'proof');
});

test('fee payer: funded for every fee, zero included, and covering the fee', async () => {
  assert.deepEqual(await validator.validate(tx({ transactionFee: 0n })), { accepted: true });
  assert.deepEqual(await validator.validate(tx({ transactionFee: 100n })), { accepted: true });
  assert.deepEqual(await refusal(tx({ transactionFee: 101n })), { field: 'transactionFee', reason: `fee payer 0x${feePayerOf(FUNDED).toString(16)} has balance 100, below the fee 101` });
  const unfunded = await refusal(tx({ secret: 12n, transactionFee: 0n }));
  assert.equal(unfunded?.field, 'feePayer');
  assert.match(unfunded!.reason, /has no balance \(every tx, zero-fee included, needs a funded fee payer\)/);
});

test('nullifiers: new to the world state and to the other pooled txs', async () => {
  const first = tx({ nonce: 2n });
  spent.add(first.publicOutputs.nullifiers[0]!);
  assert.match((await refusal(first))!.reason, /already exists \(double spend\)/);
  spent.clear();
  assert.equal((await refusal(tx({ nonce: 3n, extraNullifiers: [77n, 77n] })))?.reason, 'the tx repeats a nullifier');
  const pooled = tx({ nonce: 4n });
  await pool.add(pooled);
  assert.deepEqual(await refusal(pooled), { field: 'hash', reason: 'already known' });
  const twin = tx({ nonce: 4n, noteHashes: [5n] });
  assert.match((await refusal(twin))!.reason, new RegExp(`is already used by tx 0x${pooled.hash().toString(16)} \\(double spend\\)`));
  // a pooled tx re-validated is judged on its own merits: its own pool entry is no conflict
  assert.deepEqual(await validator.revalidate(pooled), { accepted: true });
  spent.add(pooled.publicOutputs.nullifiers[0]!);
  assert.equal((await validator.revalidate(pooled)).accepted, false, 'but its nullifier now in the state is');
  spent.clear();
});

test('the client proof is checked last, and its refusal names the proof', async () => {
  proofVerdict = { valid: false, reason: 'the pairing check failed' };
  try {
    assert.deepEqual(await refusal(tx({ nonce: 5n })), { field: 'proof', reason: 'client proof does not verify (stub proofs): the pairing check failed' });
    assert.equal((await refusal(tx({ nonce: 5n, chainId: 2n })))?.field, 'chainId', 'a cheaper check refuses first');
  } finally {
    proofVerdict = { valid: true };
  }
});
