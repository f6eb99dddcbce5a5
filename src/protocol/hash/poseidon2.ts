import { BarretenbergSync } from '@aztec/bb.js';

/** BN254 scalar field modulus: every protocol Field is an integer below it. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

// One synchronous Barretenberg per process: hashing sits on hot paths (tree updates) where an
// async round trip per hash would dominate. bb.js picks its native shared-memory backend when
// available and falls back to WASM.
const bb = await BarretenbergSync.new();

export function fieldToBytes(value: bigint): Uint8Array {
  if (value < 0n || value >= FIELD_MODULUS) throw new RangeError(`field element out of range: ${value}`);
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesToField(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * Poseidon2 sponge over BN254 (rate 3, capacity 1, IV = len << 64), bb's construction; the Noir
 * library's `poseidon2_hash` computes the same function (pinned by cross-language vectors).
 */
export function poseidon2Hash(inputs: readonly bigint[]): bigint {
  return bytesToField(bb.poseidon2Hash({ inputs: inputs.map(fieldToBytes) }).hash);
}

/** The raw Poseidon2 permutation of a 4-element state. */
export function poseidon2Permutation(state: readonly [bigint, bigint, bigint, bigint]): bigint[] {
  return bb.poseidon2Permutation({ inputs: state.map(fieldToBytes) }).outputs.map(bytesToField);
}
