// How bb 5.0.0 lays out a ZK UltraHonk proof and verification key for the `noir-recursive` target:
// every element is a BN254 scalar field element; a G1 point is 4 of them (x.lo, x.hi, y.lo, y.hi,
// each coordinate split at bit 136). The proof is padded to CONST_PROOF_SIZE_LOG_N sumcheck rounds.
import { bn254 } from '@noble/curves/bn254.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { BN254_P } from '../crs/g1-powers.js';

export type G1Point = WeierstrassPoint<bigint>;

/** bb's constant proof size: every proof has this many sumcheck rounds and Gemini folds. */
export const CONST_PROOF_SIZE_LOG_N = 25;
/** Limbs of the two G1 points a recursive circuit defers to its verifier (zero when it verifies no proof). */
export const PAIRING_POINTS_SIZE = 8;
export const G1_FIELDS = 4;
/** Evaluations per sumcheck round univariate (ZK: the relations' degree + 2). */
export const ZK_BATCHED_RELATION_PARTIAL_LENGTH = 9;
/** The Ultra flavor's polynomials (precomputed, witness, shifted), without the ZK masking polynomial. */
export const NUMBER_OF_ENTITIES = 41;
/** The Gemini masking polynomial comes first among the claimed evaluations. */
export const NUMBER_OF_ENTITIES_ZK = NUMBER_OF_ENTITIES + 1;
/** Precomputed polynomials: the VK's commitments. */
export const NUM_PRECOMPUTED = 28;
export const NUM_LIBRA_EVALUATIONS = 4;

const LIMB_BITS = 136n;
const LIMB_MAX = 1n << LIMB_BITS;

/** The proof's parts in wire order: a run of fields, or of points (G1_FIELDS each). */
export function zkProofLayout(logN = CONST_PROOF_SIZE_LOG_N) {
  const points = (n: number) => ({ size: n * G1_FIELDS, points: true });
  const fields = (n: number) => ({ size: n, points: false });
  return [
    ['pairingPoints', fields(PAIRING_POINTS_SIZE)],
    ['geminiMasking', points(1)],
    ['w1', points(1)],
    ['w2', points(1)],
    ['w3', points(1)],
    ['lookupReadCounts', points(1)],
    ['lookupReadTags', points(1)],
    ['w4', points(1)],
    ['lookupInverses', points(1)],
    ['zPerm', points(1)],
    ['libraConcatenation', points(1)],
    ['libraSum', fields(1)],
    ['sumcheckUnivariates', fields(logN * ZK_BATCHED_RELATION_PARTIAL_LENGTH)],
    ['sumcheckEvaluations', fields(NUMBER_OF_ENTITIES_ZK)],
    ['libraEvaluation', fields(1)],
    ['libraGrandSum', points(1)],
    ['libraQuotient', points(1)],
    ['geminiFoldCommitments', points(logN - 1)],
    ['geminiEvaluations', fields(logN)],
    ['libraPolyEvaluations', fields(NUM_LIBRA_EVALUATIONS)],
    ['shplonkQ', points(1)],
    ['kzgQuotient', points(1)],
  ] as const;
}

export type ProofPart = ReturnType<typeof zkProofLayout>[number][0];
export type ProofParts = Record<ProofPart, bigint[]>;

export const zkProofLength = (logN = CONST_PROOF_SIZE_LOG_N) => zkProofLayout(logN).reduce((n, [, { size }]) => n + size, 0);

/** A refusal with the reason: the proof or VK is malformed or does not verify. */
export class ProofRejected extends Error {
  override name = 'ProofRejected';
}

/** Splits a proof into its parts; throws ProofRejected when its length or a field is out of range. */
export function splitProof(proof: readonly bigint[]): ProofParts {
  const expected = zkProofLength();
  if (proof.length !== expected) throw new ProofRejected(`proof has ${proof.length} fields, a ZK UltraHonk proof (bb 5.0.0, noir-recursive) has ${expected}`);
  proof.forEach((f, i) => {
    if (f < 0n || f >= FIELD_MODULUS) throw new ProofRejected(`proof field ${i} is not below the BN254 scalar modulus`);
  });
  const parts = {} as ProofParts;
  let at = 0;
  for (const [name, { size }] of zkProofLayout()) {
    parts[name] = proof.slice(at, at + size);
    at += size;
  }
  return parts;
}

function coordinate(lo: bigint, hi: bigint, what: string): bigint {
  if (lo >= LIMB_MAX) throw new ProofRejected(`${what}: low limb is not below 2^136`);
  const v = lo + (hi << LIMB_BITS);
  if (v >= BN254_P) throw new ProofRejected(`${what}: coordinate is not below the BN254 base field modulus`);
  return v;
}

/** The G1 point of 4 limbs; (0, 0) is the point at infinity (the commitment to a zero polynomial). */
export function g1FromLimbs(limbs: readonly bigint[], what: string): G1Point {
  const x = coordinate(limbs[0]!, limbs[1]!, what);
  const y = coordinate(limbs[2]!, limbs[3]!, what);
  if (x === 0n && y === 0n) return bn254.G1.Point.ZERO;
  const p = bn254.G1.Point.fromAffine({ x, y });
  try {
    p.assertValidity();
  } catch {
    throw new ProofRejected(`${what} is not a point of BN254 G1`);
  }
  return p;
}

/** The points of a run of commitments. */
export function g1sFromLimbs(fields: readonly bigint[], what: string): G1Point[] {
  const n = fields.length / G1_FIELDS;
  return Array.from({ length: n }, (_, i) => g1FromLimbs(fields.slice(i * G1_FIELDS, (i + 1) * G1_FIELDS), n === 1 ? what : `${what}[${i}]`));
}

/** Every commitment of the proof, decoded before any other work: a bad point fails fast, named. */
export function decodeCommitments(parts: ProofParts): Partial<Record<ProofPart, G1Point[]>> {
  const out: Partial<Record<ProofPart, G1Point[]>> = {};
  for (const [name, { points }] of zkProofLayout()) if (points) out[name] = g1sFromLimbs(parts[name], `proof commitment ${name}`);
  return out;
}

export interface UltraHonkVk {
  logCircuitSize: number;
  /** The circuit's public inputs plus the pairing points. */
  numPublicInputs: number;
  publicInputsOffset: bigint;
  /** The 28 precomputed commitments, in bb's entity order (sigma 1-4, id 1-4, lagrange first/last, q_lookup, tables 1-4, q_m, q_r, q_o, q_c, q_l, q_4, q_arith, q_range, q_elliptic, q_memory, q_nnf, q_poseidon2 external/internal). */
  commitments: G1Point[];
}

export const VK_FIELDS = 3 + NUM_PRECOMPUTED * G1_FIELDS;

export function parseVerificationKey(fields: readonly bigint[]): UltraHonkVk {
  if (fields.length !== VK_FIELDS) throw new ProofRejected(`verification key has ${fields.length} fields, bb 5.0.0's UltraHonk VK has ${VK_FIELDS}`);
  const [logN, numPublicInputs, offset] = fields as [bigint, bigint, bigint];
  if (logN < 1n || logN > BigInt(CONST_PROOF_SIZE_LOG_N)) throw new ProofRejected(`verification key: log circuit size ${logN} is not in [1, ${CONST_PROOF_SIZE_LOG_N}]`);
  if (numPublicInputs < BigInt(PAIRING_POINTS_SIZE) || numPublicInputs > 1n << 20n) throw new ProofRejected(`verification key: ${numPublicInputs} public inputs is implausible`);
  return {
    logCircuitSize: Number(logN),
    numPublicInputs: Number(numPublicInputs),
    publicInputsOffset: offset,
    commitments: g1sFromLimbs(fields.slice(3), 'verification key commitment'),
  };
}
