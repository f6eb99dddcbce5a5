// What checks client proofs in a process whose circuit-prover plugin provides no TxProofVerifier.
import type { Logger } from '@quetzal/kernel/logging';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import type { TxProofVerifier } from '@quetzal/protocol/tx-proof-verifier';

/**
 * SEAM(tx-admission): until the circuit-prover plugin provides Tokens.TxProofVerifier (the tx
 * admission work), the check a process without it can make: under simulated proofs a client proof
 * must be the placeholder a simulated prover makes; native client proofs are not checked before
 * bidding (a forged one fails the base circuit, after the claim), which is logged once.
 */
export function txProofsBeforeAdmission(kind: string, logger?: Pick<Logger, 'warn'>): TxProofVerifier {
  let warned = false;
  return {
    kind,
    async verifyTxProof(tx) {
      if (tx.proof.length !== PROOF_LENGTH) return { valid: false, reason: `the client proof has ${tx.proof.length} fields, expected ${PROOF_LENGTH}` };
      if (kind === 'simulated') {
        return tx.proof.some((f) => f !== 0n) ? { valid: false, reason: 'the client proof is not the placeholder proof a simulated prover makes' } : { valid: true };
      }
      if (!warned) logger?.warn({ backend: kind }, 'no client proof verifier in this process: client proofs are checked only by the base circuit, after a claim');
      warned = true;
      return { valid: true };
    },
  };
}
