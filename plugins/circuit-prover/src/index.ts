// The circuit-prover plugin's public entry: the plugin, the provers, and what the `crs` and
// `circuits` commands use.
export { circuitProverPlugin } from './plugin.js';
export { SimulatedCircuitProver, placeholderProof, type SimulatedCircuitProverOptions } from './simulated-prover.js';
export { NativeCircuitProver, createNativeProver, type NativeCircuitProverOptions, type CreateNativeProverOptions, type NativeProofTimings } from './native-prover.js';
export { WitnessGenerator, type WitnessResult } from './witness.js';
export { buildHonkVerifier, verifierChoice, substituteG2, IGNITION_G2_WORDS, type HonkVerifierBuild } from './solidity-verifier.js';
export { NativeTxProofVerifier, SimulatedTxProofVerifier, type NativeTxProofVerifierOptions } from './tx-proof-verifier.js';
export { prepareVk, verifyZkProof, type PreparedVk } from './honk/verifier.js';
export { IGNITION_G2, g2Point, type G2Point } from './crs/g2.js';
// Test support: the committed dev-CRS tx proof and the tampered variants every verifier must refuse.
export { loadProofFixture, saveProofFixture, tamperedProofs, tamperedVks, type ProofFixture } from './honk/test-fixture.js';
export { measureGates, verifierTarget, defaultBbPath, parseBbGates, type CircuitGates } from './gates.js';
export { ensureCrs, inspectCrs, crsDir, crsG2, CrsError, REQUIRED_CRS_POINTS, CRS_MODES, type Crs, type CrsMode, type CrsOptions, type CrsStatus } from './crs/crs-manager.js';
export { crsFlags, crsMode, commandLogger } from './crs/cli-flags.js';
export { bbChildren, type BbProcess } from './bb/processes.js';
