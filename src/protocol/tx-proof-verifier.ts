// The off-chain check of a tx's client proof: the `tx` circuit's proof of the tx's public outputs.
// A sequencer runs it before a tx enters its pool, so a tx whose proof the base circuit would
// refuse (an unprovable block, a slashed prover) never gets that far. The circuit-prover plugin
// provides it for the backend in use (Tokens.TxProofVerifier).
import type { Tx } from './tx.js';

export type ProofVerdict = { valid: true } | { valid: false; reason: string };

export interface TxProofVerifier {
  /**
   * `native`: UltraHonk verification against the tx circuit's VK and the [x]_2 of the CRS in use.
   * `simulated`: the proof must be the placeholder; the tx circuit's constraints were checked at
   * witness level by the sender's simulated prover (a receiver cannot re-check them: it lacks the
   * sender's private inputs).
   */
  readonly kind: string;
  verifyTxProof(tx: Tx): Promise<ProofVerdict>;
}
