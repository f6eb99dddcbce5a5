import type { CircuitProver } from '../circuit-prover.js';
import type { ProvingJobType } from '../proving-jobs.js';
import { decodeCircuitInputs, encodeProofResult } from './encoding.js';

/**
 * Proves one broker job: the job's bytes are the circuit's encoded inputs, the result is the
 * encoded proof result the producer decodes. What every prover agent runs, whatever the backend.
 */
export async function proveJob(prover: CircuitProver, type: ProvingJobType, inputs: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
  const result = await prover.prove(type, decodeCircuitInputs(type, inputs), { signal });
  return encodeProofResult(result);
}
