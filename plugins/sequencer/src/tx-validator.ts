// The one home of tx validation: what a tx must satisfy to enter the pool (node_sendTx, gossip) or
// to stay in it (a tx whose block was pruned, before it is proposed again). Structure, the network,
// nullifiers unique against the world state and the other pooled txs, a funded fee payer that
// covers the fee (zero included), and last, as the costliest, the client proof. Every refusal
// names the tx field at fault and the reason. The protocol's own conditions (txConflict) are what
// the circuits enforce; a funded fee payer for a zero fee is this node's policy on top (the
// circuits accept a zero-fee tx from any payer, so a prover re-executing a block must too).
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { TxRejectedError } from '@quetzal/protocol/node-api';
import type { Tx } from '@quetzal/protocol/tx';
import type { TxPool } from '@quetzal/protocol/tx-pool';
import type { TxProofVerifier } from '@quetzal/protocol/tx-proof-verifier';
import type { WorldStateReader } from '@quetzal/protocol/world-state';
import { txConflict } from '@quetzal/protocol/circuits/block-building';

/** The tx field a refusal is about (JSON-RPC errors carry it as `data.field`). */
export type TxField = 'hash' | 'publicOutputs' | 'chainId' | 'version' | 'transactionFee' | 'feePayer' | 'nullifiers' | 'proof';

export type TxValidation = { accepted: true } | { accepted: false; field: TxField; reason: string };

export interface TxValidatorContext {
  chainId: bigint;
  version: bigint;
  pool: TxPool;
  /** The latest committed world state. */
  state: () => WorldStateReader;
  proofs: TxProofVerifier;
}

const TWO_128 = 1n << 128n;

export class TxValidator {
  constructor(private readonly c: TxValidatorContext) {}

  /** Whether a tx new to this node may enter the pool. */
  async validate(tx: Tx): Promise<TxValidation> {
    return verdict(await this.problem(tx, true));
  }

  /** Whether a pooled tx (back from a block that left the chain) may still be proposed. */
  async revalidate(tx: Tx): Promise<TxValidation> {
    return verdict(await this.problem(tx, false));
  }

  /** The first reason to refuse `tx`, cheap checks first. */
  private async problem(tx: Tx, isNew: boolean): Promise<Problem | undefined> {
    const o = tx.publicOutputs;
    for (const [i, f] of tx.publicInputs().entries()) if (f >= FIELD_MODULUS) return { field: 'publicOutputs', reason: `public output ${i} is not below the BN254 modulus` };
    const hash = tx.hash(); // only now: hashing needs fields in range
    for (const [i, f] of tx.proof.entries()) if (f >= FIELD_MODULUS) return { field: 'proof', reason: `client proof field ${i} is not below the BN254 modulus` };
    if (o.chainId !== this.c.chainId) return { field: 'chainId', reason: `chainId ${o.chainId}, this network is ${this.c.chainId}` };
    if (o.version !== this.c.version) return { field: 'version', reason: `version ${o.version}, this rollup is version ${this.c.version}` };
    if (o.nullifiers[0] === 0n) return { field: 'nullifiers', reason: 'nullifiers[0] is 0 (the first nullifier makes a tx unique and must be set)' };
    if (o.feePayer === 0n) return { field: 'feePayer', reason: 'feePayer is 0 (slot 0 is reserved)' };
    if (o.transactionFee >= TWO_128) return { field: 'transactionFee', reason: `transactionFee ${o.transactionFee} is not below 2^128` };
    if (isNew && this.c.pool.has(hash)) return { field: 'hash', reason: 'already known' };
    for (const n of o.nullifiers) {
      const other = n === 0n ? undefined : this.c.pool.txWithNullifier(n);
      if (other !== undefined && other !== hash) return { field: 'nullifiers', reason: `nullifier ${hex(n)} is already used by tx ${hex(other)} (double spend)` };
    }
    const state = this.c.state();
    // Policy on top of the protocol: a zero-fee tx too needs a funded payer, or an account with
    // nothing at stake could fill blocks for free
    if ((await state.readPublicData(o.feePayer)) === 0n) {
      return { field: 'feePayer', reason: `fee payer ${hex(o.feePayer)} has no balance (every tx, zero-fee included, needs a funded fee payer)` };
    }
    const conflict = await txConflict(state, o);
    if (conflict) return conflict;
    const proof = await this.c.proofs.verifyTxProof(tx);
    if (!proof.valid) return { field: 'proof', reason: `client proof does not verify (${this.c.proofs.kind} proofs): ${proof.reason}` };
    return undefined;
  }
}

interface Problem {
  field: TxField;
  reason: string;
}

const verdict = (p: Problem | undefined): TxValidation => (p ? { accepted: false, ...p } : { accepted: true });

/** The error a refused tx gets (node_sendTx answers it as a JSON-RPC error with `data.field`). */
export function rejectionOf(tx: Tx, refusal: Problem): TxRejectedError {
  const name = refusal.field === 'publicOutputs' ? 'tx' : `tx ${hex(tx.hash())}`; // out-of-range outputs have no hash
  return new TxRejectedError(`${name} rejected (field ${refusal.field}): ${refusal.reason}`, refusal.field);
}
const hex = (v: bigint) => `0x${v.toString(16)}`;
