// What sendTx checks before a tx enters the pool: structure, uniqueness of its nullifiers (world
// state and pool), that its fee payer can pay, and its client proof. Every refusal names the reason.
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { TxRejectedError } from '@quetzal/protocol/node-api';
import type { Tx } from '@quetzal/protocol/tx';
import type { WorldStateReader } from '@quetzal/protocol/world-state';
import { txConflict } from '@quetzal/protocol/circuits/block-building';
import type { TxPool } from './tx-pool.js';

/** Checks a tx's client proof against its public inputs; resolves with the reason it is refused, or undefined. */
export type TxProofCheck = (tx: Tx) => Promise<string | undefined>;

/**
 * Under simulated proofs a client proof is the placeholder (PROOF_LENGTH zero fields): the
 * simulated prover checked the tx circuit's constraints when it made it. Anything else was not
 * made by a simulated prover for these public inputs.
 */
export const simulatedProofCheck: TxProofCheck = async (tx) => {
  if (tx.proof.length !== PROOF_LENGTH) return `client proof has ${tx.proof.length} fields, expected ${PROOF_LENGTH}`;
  if (tx.proof.some((f) => f !== 0n)) return 'client proof is not a simulated proof of these public inputs (expected the placeholder proof)';
  return undefined;
};

export interface TxValidatorContext {
  chainId: bigint;
  version: bigint;
  pool: TxPool;
  /** The latest committed world state. */
  state: () => WorldStateReader;
  checkProof: TxProofCheck;
}

const TWO_128 = 1n << 128n;

/** Throws TxRejectedError with the reason when `tx` may not enter the pool. */
export async function validateTx(tx: Tx, c: TxValidatorContext): Promise<void> {
  const reject = (reason: string): never => {
    throw new TxRejectedError(`tx ${hex(tx.hash())} rejected: ${reason}`);
  };
  const o = tx.publicOutputs;
  for (const [i, f] of [...tx.publicInputs(), ...tx.proof].entries()) if (f >= FIELD_MODULUS) reject(`field ${i} is not below the BN254 modulus`);
  if (o.chainId !== c.chainId) reject(`chainId ${o.chainId}, this network is ${c.chainId}`);
  if (o.version !== c.version) reject(`version ${o.version}, this rollup is version ${c.version}`);
  if (o.nullifiers[0] === 0n) reject('nullifiers[0] is 0 (the first nullifier makes a tx unique and must be set)');
  if (o.feePayer === 0n) reject('feePayer is 0 (slot 0 is reserved)');
  if (o.transactionFee >= TWO_128) reject(`transactionFee ${o.transactionFee} is not below 2^128`);
  if (c.pool.has(tx.hash())) reject('already known');
  for (const n of o.nullifiers) {
    if (n === 0n) continue;
    const other = c.pool.txWithNullifier(n);
    if (other !== undefined) reject(`nullifier ${hex(n)} is already used by tx ${hex(other)} (double spend)`);
  }
  const conflict = await txConflict(c.state(), tx.publicOutputs);
  if (conflict) reject(conflict);
  const proofProblem = await c.checkProof(tx);
  if (proofProblem) reject(proofProblem);
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
