// A native verifier of bb 5.0.0's ZK UltraHonk proofs for the `noir-recursive` target (Poseidon2
// transcript), in TypeScript: Oink's challenges, ZK sumcheck over CONST_PROOF_SIZE_LOG_N rounds,
// Shplemini (Gemini + Shplonk + the Libra small-subgroup IPA) and the KZG pairing check. The pairing
// uses the [x]_2 of the CRS the proofs were made with: bb's own verifier pins Ignition's, so it cannot
// check dev-CRS proofs. The algebra follows bb's generated Solidity verifier (same flavor, Keccak
// transcript), with the padded round count and Poseidon2 transcript of the native flavor.
import { bn254 } from '@noble/curves/bn254.js';
import { interleavedMSMUnsafe, pippenger } from '@noble/curves/abstract/curve.js';
import { FIELD_MODULUS, poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';
import type { ProofVerdict } from '@quetzal/protocol/tx-proof-verifier';
import type { G2Point } from '../crs/g2.js';
import {
  CONST_PROOF_SIZE_LOG_N,
  PAIRING_POINTS_SIZE,
  ProofRejected,
  ZK_BATCHED_RELATION_PARTIAL_LENGTH,
  decodeCommitments,
  g1FromLimbs,
  parseVerificationKey,
  splitProof,
  type G1Point,
  type ProofPart,
  type UltraHonkVk,
} from './encoding.js';
import { Fr, add, mul, neg, sub } from './field.js';
import { batchSubrelations, evaluateSubrelations } from './relations.js';
import { Poseidon2Transcript } from './transcript.js';

/** A VK ready for verification: parsed, hashed as bb's transcript absorbs it, its commitments tabled for MSMs. */
export interface PreparedVk extends UltraHonkVk {
  hash: bigint;
  /** sum s_i * C_i over the VK's commitments C_0..C_27 and the generator (last). */
  fixedMsm(scalars: bigint[]): G1Point;
}

/** Window of the fixed-base tables: 2^(w-2) points per commitment. */
const FIXED_MSM_WINDOW = 8;

export function prepareVk(fields: readonly bigint[]): PreparedVk {
  const vk = parseVerificationKey(fields);
  const bases = [...vk.commitments, bn254.G1.Point.BASE];
  // A table cannot hold the point at infinity (a zero polynomial's commitment): its terms are 0 anyway.
  const nonZero = bases.flatMap((p, i) => (p.is0() ? [] : [i]));
  const msm = interleavedMSMUnsafe(bn254.G1.Point, nonZero.map((i) => bases[i]!), FIXED_MSM_WINDOW);
  return { ...vk, hash: poseidon2Hash(fields), fixedMsm: (scalars) => msm(nonZero.map((i) => scalars[i]!)) };
}

const L = CONST_PROOF_SIZE_LOG_N;
const PERMUTATION_ARGUMENT_VALUE_SEPARATOR = 1n << 28n;
const NUMBER_UNSHIFTED_ZK = 37;
const NUMBER_TO_BE_SHIFTED = 5;
/** Where the to-be-shifted polynomials (w1-w4, z_perm) sit among the proof's MSM terms (after shplonk Q and the masking polynomial). */
const SHIFTED_TERMS_START = 2;
const SUBGROUP_SIZE = 256;
const SUBGROUP_GENERATOR = 0x07b0c561a6148404f086204a9f36ffb0617942546750f230c893619174a57a76n;
const SUBGROUP_GENERATOR_INVERSE = 0x204bd3277422fad364751ad938e2b5e6a54cf8c68712848a692c553d0329f5d6n;

/** 1 / prod_{j != i} (i - j) over the points 0..8 (the barycentric weights). */
const BARYCENTRIC_INVERSE_DENOMINATORS = Array.from({ length: ZK_BATCHED_RELATION_PARTIAL_LENGTH }, (_, i) => {
  let d = 1n;
  for (let j = 0; j < ZK_BATCHED_RELATION_PARTIAL_LENGTH; j++) if (j !== i) d = mul(d, Fr.create(BigInt(i - j)));
  return Fr.inv(d);
});

/** The round univariate (given by its values at 0..8) at `x`. */
function evaluateUnivariate(values: readonly bigint[], x: bigint): bigint {
  if (x < BigInt(values.length)) return values[Number(x)]!;
  const diffs = values.map((_, i) => sub(x, BigInt(i)));
  const inverses = Fr.invertBatch(diffs);
  let sum = 0n;
  values.forEach((v, i) => (sum = add(sum, m3(v, BARYCENTRIC_INVERSE_DENOMINATORS[i]!, inverses[i]!))));
  return mul(sum, diffs.reduce((a, b) => mul(a, b)));
}

const m3 = (a: bigint, b: bigint, c: bigint) => mul(mul(a, b), c);

function pairingPointsOf(limbs: readonly bigint[]): [G1Point, G1Point] | undefined {
  if (limbs.every((l) => l === 0n)) return undefined; // bb's default: the circuit verified no proof
  const [p0, p1] = [g1FromLimbs(limbs.slice(0, 4), 'pairing point P0'), g1FromLimbs(limbs.slice(4, 8), 'pairing point P1')];
  if (p0.is0() || p1.is0()) throw new ProofRejected('a pairing point is the point at infinity');
  return [p0, p1];
}

/** A random scalar the prover cannot predict, to fold the proof's pairing points into ours. */
function randomScalar(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Fr.create(BigInt(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`));
}

/** e(p0, [1]_2) * e(p1, [x]_2) == 1 */
function pairingCheck(p0: G1Point, p1: G1Point, xG2: G2Point): boolean {
  const pairs = [
    { g1: p0, g2: bn254.G2.Point.BASE },
    { g1: p1, g2: xG2 },
  ].filter((p) => !p.g1.is0());
  return bn254.fields.Fp12.eql(bn254.pairingBatch(pairs), bn254.fields.Fp12.ONE);
}

/**
 * Verifies `proof` (PROOF_LENGTH fields, pairing points first) of the circuit with `vk` for
 * `publicInputs` (the circuit's own public inputs, without the pairing points). `xG2` is the
 * CRS's [x]_2. Never throws on a bad proof: the verdict carries the reason.
 */
export function verifyZkProof(vk: PreparedVk, proof: readonly bigint[], publicInputs: readonly bigint[], xG2: G2Point): ProofVerdict {
  try {
    return verify(vk, proof, publicInputs, xG2) ? { valid: true } : { valid: false, reason: 'the pairing check failed' };
  } catch (e) {
    if (e instanceof ProofRejected) return { valid: false, reason: e.message };
    throw e;
  }
}

function verify(vk: PreparedVk, proof: readonly bigint[], publicInputs: readonly bigint[], xG2: G2Point): boolean {
  const parts = splitProof(proof);
  const expectedInputs = vk.numPublicInputs - PAIRING_POINTS_SIZE;
  if (publicInputs.length !== expectedInputs) throw new ProofRejected(`${publicInputs.length} public inputs, the circuit has ${expectedInputs}`);
  publicInputs.forEach((f, i) => {
    if (f < 0n || f >= FIELD_MODULUS) throw new ProofRejected(`public input ${i} is not below the BN254 scalar modulus`);
  });
  const commitments = decodeCommitments(parts);
  const point = (name: ProofPart) => commitments[name]![0]!;

  // Oink: relation parameters and the subrelation separator
  const t = new Poseidon2Transcript();
  t.absorb([vk.hash], publicInputs, parts.pairingPoints, parts.geminiMasking, parts.w1, parts.w2, parts.w3);
  const eta = t.challenge();
  t.absorb(parts.lookupReadCounts, parts.lookupReadTags, parts.w4);
  const [beta, gamma] = t.challenges();
  t.absorb(parts.lookupInverses, parts.zPerm);
  const alpha = t.challenge();
  const gateChallenges = [t.challenge()];
  for (let i = 1; i < L; i++) gateChallenges.push(Fr.sqr(gateChallenges[i - 1]!));
  t.absorb(parts.libraConcatenation, parts.libraSum);
  const libraChallenge = t.challenge();
  const univariates = Array.from({ length: L }, (_, i) => parts.sumcheckUnivariates.slice(i * ZK_BATCHED_RELATION_PARTIAL_LENGTH, (i + 1) * ZK_BATCHED_RELATION_PARTIAL_LENGTH));
  const u = univariates.map((univariate) => {
    t.absorb(univariate);
    return t.challenge();
  });
  t.absorb(parts.sumcheckEvaluations, parts.libraEvaluation, parts.libraGrandSum, parts.libraQuotient);
  const rho = t.challenge();
  t.absorb(parts.geminiFoldCommitments);
  const geminiR = t.challenge();
  t.absorb(parts.geminiEvaluations, parts.libraPolyEvaluations);
  const nu = t.challenge();
  t.absorb(parts.shplonkQ);
  const z = t.challenge();

  // Public input delta of the permutation argument (the circuit's inputs, then the pairing points)
  let numerator = 1n;
  let denominator = 1n;
  let numeratorAcc = add(gamma, mul(beta, PERMUTATION_ARGUMENT_VALUE_SEPARATOR + vk.publicInputsOffset));
  let denominatorAcc = sub(gamma, mul(beta, vk.publicInputsOffset + 1n));
  for (const input of [...publicInputs, ...parts.pairingPoints]) {
    numerator = mul(numerator, add(numeratorAcc, input));
    denominator = mul(denominator, add(denominatorAcc, input));
    numeratorAcc = add(numeratorAcc, beta);
    denominatorAcc = sub(denominatorAcc, beta);
  }
  if (denominator === 0n) throw new ProofRejected('public input delta has a zero denominator');
  const publicInputsDelta = Fr.div(numerator, denominator);

  // ZK sumcheck
  const [libraSum] = parts.libraSum as [bigint];
  const [libraEvaluation] = parts.libraEvaluation as [bigint];
  let target = mul(libraChallenge, libraSum);
  let powPartialEvaluation = 1n;
  for (let round = 0; round < L; round++) {
    const univariate = univariates[round]!;
    if (add(univariate[0]!, univariate[1]!) !== target) throw new ProofRejected(`sumcheck round ${round}: the univariate's sum over {0, 1} is not the claimed sum`);
    target = evaluateUnivariate(univariate, u[round]!);
    powPartialEvaluation = mul(powPartialEvaluation, add(1n, mul(u[round]!, sub(gateChallenges[round]!, 1n))));
  }
  const evaluations = parts.sumcheckEvaluations;
  const relations = batchSubrelations(evaluateSubrelations(evaluations.slice(1), { eta, beta, gamma, publicInputsDelta }, powPartialEvaluation), alpha);
  // The first rows are disabled (they hold the ZK masking): 1 - prod_{i >= 2} (1 - u_i)
  let disabledRows = 1n;
  for (let i = 2; i < L; i++) disabledRows = mul(disabledRows, sub(1n, u[i]!));
  if (add(mul(relations, sub(1n, disabledRows)), mul(libraEvaluation, libraChallenge)) !== target) {
    throw new ProofRejected("sumcheck: the relations at the claimed evaluations do not give the last round's sum");
  }

  // Shplemini: batch every opening claim into one KZG opening at z
  const squares = [geminiR];
  for (let i = 1; i < L; i++) squares.push(Fr.sqr(squares[i - 1]!));
  const libraPolyEvaluations = parts.libraPolyEvaluations;
  if (!libraEvaluationsConsistent(libraPolyEvaluations, geminiR, u, libraEvaluation)) throw new ProofRejected('the Libra evaluations are inconsistent (small-subgroup IPA)');
  // The MSM's terms: the proof's commitments (pippenger), the VK's and the generator (fixed tables)
  const bases: G1Point[] = [];
  const scalars: bigint[] = [];
  const push = (c: G1Point, s: bigint) => (bases.push(c), scalars.push(s));
  const vkScalars: bigint[] = [];
  push(point('shplonkQ'), 1n);

  let posInverse = Fr.inv(sub(z, squares[0]!));
  let negInverse = Fr.inv(add(z, squares[0]!));
  const unshiftedScalar = neg(add(posInverse, mul(nu, negInverse)));
  const shiftedScalar = neg(mul(Fr.inv(geminiR), sub(posInverse, mul(nu, negInverse))));
  const witnesses = (['w1', 'w2', 'w3', 'w4', 'zPerm', 'lookupInverses', 'lookupReadCounts', 'lookupReadTags'] as const).map(point);
  // Unshifted polynomials in evaluation order: the masking polynomial, the VK's 28, the 8 witnesses
  const unshifted = [point('geminiMasking'), ...vk.commitments.map(() => undefined), ...witnesses];
  let batching = 1n;
  let batchedEvaluation = 0n;
  for (let i = 0; i < NUMBER_UNSHIFTED_ZK; i++) {
    const c = unshifted[i];
    if (c) push(c, mul(unshiftedScalar, batching));
    else vkScalars.push(mul(unshiftedScalar, batching));
    batchedEvaluation = add(batchedEvaluation, mul(evaluations[i]!, batching));
    batching = mul(batching, rho);
  }
  for (let i = 0; i < NUMBER_TO_BE_SHIFTED; i++) {
    const at = SHIFTED_TERMS_START + i;
    scalars[at] = add(scalars[at]!, mul(shiftedScalar, batching));
    batchedEvaluation = add(batchedEvaluation, mul(evaluations[NUMBER_UNSHIFTED_ZK + i]!, batching));
    batching = mul(batching, rho);
  }

  // Gemini: A_l(r^(2^l)) from A_{l+1} and the claimed A_l(-r^(2^l))
  const geminiEvaluations = parts.geminiEvaluations;
  const foldPos: bigint[] = new Array<bigint>(L);
  let acc = batchedEvaluation;
  for (let i = L; i > 0; i--) {
    const power = squares[i - 1]!;
    const ui = u[i - 1]!;
    const num = sub(m3(power, acc, 2n), mul(geminiEvaluations[i - 1]!, sub(mul(power, sub(1n, ui)), ui)));
    const den = add(mul(power, sub(1n, ui)), ui);
    if (den === 0n) throw new ProofRejected('Gemini: zero denominator');
    acc = Fr.div(num, den);
    foldPos[i - 1] = acc;
  }
  let constantTerm = add(mul(foldPos[0]!, posInverse), m3(geminiEvaluations[0]!, nu, negInverse));
  batching = Fr.sqr(nu);
  const folds = commitments.geminiFoldCommitments!;
  for (let i = 0; i < L - 1; i++) {
    posInverse = Fr.inv(sub(z, squares[i + 1]!));
    negInverse = Fr.inv(add(z, squares[i + 1]!));
    const scalingPos = mul(batching, posInverse);
    const scalingNeg = m3(batching, nu, negInverse);
    push(folds[i]!, neg(add(scalingNeg, scalingPos)));
    constantTerm = add(constantTerm, add(mul(scalingNeg, geminiEvaluations[i + 1]!), mul(scalingPos, foldPos[i + 1]!)));
    batching = m3(batching, nu, nu);
  }

  // Libra: G(r), A(g r), A(r), A(1) = 0, Q(r)
  const invZr = Fr.inv(sub(z, geminiR));
  const denominators = [invZr, Fr.inv(sub(z, mul(SUBGROUP_GENERATOR, geminiR))), invZr, Fr.inv(sub(z, 1n)), invZr];
  const claimed = [libraPolyEvaluations[0]!, libraPolyEvaluations[1]!, libraPolyEvaluations[2]!, 0n, libraPolyEvaluations[3]!];
  const libraScalars = denominators.map((d, i) => {
    const scaling = mul(d, batching);
    batching = mul(batching, nu);
    constantTerm = add(constantTerm, mul(scaling, claimed[i]!));
    return neg(scaling);
  });
  push(point('libraConcatenation'), libraScalars[0]!);
  push(point('libraGrandSum'), add(add(libraScalars[1]!, libraScalars[2]!), libraScalars[3]!));
  push(point('libraQuotient'), libraScalars[4]!);
  vkScalars.push(constantTerm); // times the generator
  const w = point('kzgQuotient');
  push(w, z);

  let p0 = pippenger(bn254.G1.Point, bases, scalars).add(vk.fixedMsm(vkScalars));
  let p1 = w.negate();
  const nested = pairingPointsOf(parts.pairingPoints);
  if (nested) {
    const r = randomScalar();
    p0 = p0.add(nested[0].multiply(r));
    p1 = p1.add(nested[1].multiply(r));
  }
  return pairingCheck(p0, p1, xG2);
}

/** The small-subgroup IPA identity tying the Libra polynomials' evaluations at r to the claimed Libra evaluation. */
function libraEvaluationsConsistent(e: readonly bigint[], r: bigint, u: readonly bigint[], libraEvaluation: bigint): boolean {
  const vanishing = sub(Fr.pow(r, BigInt(SUBGROUP_SIZE)), 1n);
  if (vanishing === 0n) throw new ProofRejected('the Gemini challenge lies in the Libra subgroup');
  const lagrange: bigint[] = new Array<bigint>(SUBGROUP_SIZE).fill(0n);
  lagrange[0] = 1n;
  for (let round = 0; round < L; round++) {
    const start = 1 + ZK_BATCHED_RELATION_PARTIAL_LENGTH * round;
    lagrange[start] = 1n;
    for (let i = start + 1; i < start + ZK_BATCHED_RELATION_PARTIAL_LENGTH; i++) lagrange[i] = mul(lagrange[i - 1]!, u[round]!);
  }
  const terms: bigint[] = [];
  let rootPower = 1n;
  for (let i = 0; i < SUBGROUP_SIZE; i++) {
    terms.push(sub(mul(rootPower, r), 1n));
    rootPower = mul(rootPower, SUBGROUP_GENERATOR_INVERSE);
  }
  const inverses = Fr.invertBatch(terms);
  const numerator = Fr.div(vanishing, BigInt(SUBGROUP_SIZE));
  let challengePolyEval = 0n;
  for (let i = 0; i < SUBGROUP_SIZE; i++) challengePolyEval = add(challengePolyEval, mul(lagrange[i]!, inverses[i]!));
  challengePolyEval = mul(challengePolyEval, numerator);
  const lagrangeFirst = mul(inverses[0]!, numerator);
  const lagrangeLast = mul(inverses[SUBGROUP_SIZE - 1]!, numerator);
  const [concatenation, shiftedGrandSum, grandSum, quotient] = e as [bigint, bigint, bigint, bigint];
  let diff = mul(lagrangeFirst, grandSum);
  diff = add(diff, mul(sub(r, SUBGROUP_GENERATOR_INVERSE), sub(sub(shiftedGrandSum, grandSum), mul(concatenation, challengePolyEval))));
  diff = sub(add(diff, mul(lagrangeLast, sub(grandSum, libraEvaluation))), mul(vanishing, quotient));
  return diff === 0n;
}

