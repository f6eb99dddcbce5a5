// bb proof-system settings per verifier target (see gates.ts `verifierTarget`): recursion uses
// ZK UltraHonk with a Poseidon2 transcript, the root ZK UltraHonk with a Keccak transcript (EVM).
import type { Barretenberg } from '@aztec/bb.js';

/** bb.js does not export ProofSystemSettings; derive it from the API. */
export type ProofSystemSettings = Parameters<Barretenberg['circuitProve']>[0]['settings'];
export type VerifierTarget = 'noir-recursive' | 'evm';

export function settingsFor(target: VerifierTarget, opts: { optimizedSolidityVerifier?: boolean } = {}): ProofSystemSettings {
  return {
    ipaAccumulation: false,
    oracleHashType: target === 'evm' ? 'keccak' : 'poseidon2',
    disableZk: false,
    optimizedSolidityVerifier: opts.optimizedSolidityVerifier ?? false,
  };
}
