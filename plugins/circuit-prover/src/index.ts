// The circuit-prover plugin's public entry: the plugin, the provers, and what the `crs` and
// `circuits` commands use.
export { circuitProverPlugin } from './plugin.js';
export { SimulatedCircuitProver, placeholderProof, type SimulatedCircuitProverOptions } from './simulated-prover.js';
export { NativeCircuitProver, createNativeProver, type NativeCircuitProverOptions, type CreateNativeProverOptions, type NativeProofTimings } from './native-prover.js';
export { WitnessGenerator, type WitnessResult } from './witness.js';
export { buildHonkVerifier, verifierChoice, substituteG2, IGNITION_G2_WORDS, type HonkVerifierBuild } from './solidity-verifier.js';
export { measureGates, verifierTarget, defaultBbPath, parseBbGates, type CircuitGates } from './gates.js';
export { ensureCrs, inspectCrs, crsDir, CrsError, REQUIRED_CRS_POINTS, CRS_MODES, type Crs, type CrsMode, type CrsOptions, type CrsStatus } from './crs/crs-manager.js';
export { crsFlags, crsMode, commandLogger } from './crs/cli-flags.js';
export { bbChildren, type BbProcess } from './bb/processes.js';
