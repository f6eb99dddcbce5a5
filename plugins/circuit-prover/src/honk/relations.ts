// The Ultra flavor's relations (bb 5.0.0), evaluated at the sumcheck point from the claimed
// evaluations, each subrelation scaled by the gate separator's partial evaluation and batched with
// powers of alpha. The same algebra as bb's generated Solidity verifier (RelationsLib).
import { Fr, add, mul, neg, sub } from './field.js';

/** Index of each entity among the claimed evaluations (after the masking polynomial). */
enum E {
  SIGMA_1, SIGMA_2, SIGMA_3, SIGMA_4, ID_1, ID_2, ID_3, ID_4, LAGRANGE_FIRST, LAGRANGE_LAST, Q_LOOKUP, TABLE_1, TABLE_2, TABLE_3, TABLE_4,
  Q_M, Q_R, Q_O, Q_C, Q_L, Q_4, Q_ARITH, Q_RANGE, Q_ELLIPTIC, Q_MEMORY, Q_NNF, Q_POSEIDON2_EXTERNAL, Q_POSEIDON2_INTERNAL,
  W_L, W_R, W_O, W_4, Z_PERM, LOOKUP_INVERSES, LOOKUP_READ_COUNTS, LOOKUP_READ_TAGS, W_L_SHIFT, W_R_SHIFT, W_O_SHIFT, W_4_SHIFT, Z_PERM_SHIFT,
}

export const NUMBER_OF_SUBRELATIONS = 29;

export interface RelationParameters {
  eta: bigint;
  beta: bigint;
  gamma: bigint;
  publicInputsDelta: bigint;
}

const m = (...xs: bigint[]) => xs.reduce((a, b) => mul(a, b));
const s = (...xs: bigint[]) => xs.reduce((a, b) => add(a, b));
const pow5 = (x: bigint) => mul(Fr.sqr(Fr.sqr(x)), x);

const NEG_HALF = neg(Fr.inv(2n));
const GRUMPKIN_B_NEG = 17n;
const LIMB_SIZE = 1n << 68n;
const SUBLIMB_SHIFT = 1n << 14n;
const POSEIDON2_INTERNAL_DIAGONAL = [
  0x10dc6e9c006ea38b04b1e03b4bd9490c0d03f98929ca1d7fb56821fd19d3b6e7n,
  0x0c28145b6a44df3e0149b3d0a30b3bb599df9756d4dd9b84a86b38cfb45a740bn,
  0x00544b8338791518b2c7645a50392798b21f75bb60e3596170067d00141cac15n,
  0x222c01175718386f2e2e82eb122789e352e105a3b8fa852613bc534433ee428bn,
];

/** The subrelations' values, each times `sep` (the gate separator's evaluation) where bb scales it. */
export function evaluateSubrelations(p: readonly bigint[], rp: RelationParameters, sep: bigint): bigint[] {
  const w = (e: E) => p[e]!;
  const ev: bigint[] = new Array<bigint>(NUMBER_OF_SUBRELATIONS).fill(0n);
  const { eta, beta, gamma } = rp;

  // Permutation (0-2)
  const num = m(
    s(w(E.W_L), mul(w(E.ID_1), beta), gamma),
    s(w(E.W_R), mul(w(E.ID_2), beta), gamma),
    s(w(E.W_O), mul(w(E.ID_3), beta), gamma),
    s(w(E.W_4), mul(w(E.ID_4), beta), gamma),
  );
  const den = m(
    s(w(E.W_L), mul(w(E.SIGMA_1), beta), gamma),
    s(w(E.W_R), mul(w(E.SIGMA_2), beta), gamma),
    s(w(E.W_O), mul(w(E.SIGMA_3), beta), gamma),
    s(w(E.W_4), mul(w(E.SIGMA_4), beta), gamma),
  );
  ev[0] = mul(sub(mul(add(w(E.Z_PERM), w(E.LAGRANGE_FIRST)), num), mul(add(w(E.Z_PERM_SHIFT), mul(w(E.LAGRANGE_LAST), rp.publicInputsDelta)), den)), sep);
  ev[1] = m(w(E.LAGRANGE_LAST), w(E.Z_PERM_SHIFT), sep);
  ev[2] = m(w(E.LAGRANGE_FIRST), w(E.Z_PERM), sep);

  // Log-derivative lookup (3-5); subrelation 4 is linearly dependent: not scaled
  const beta2 = mul(beta, beta);
  const beta3 = mul(beta2, beta);
  const tableTerm = s(w(E.TABLE_1), gamma, mul(w(E.TABLE_2), beta), mul(w(E.TABLE_3), beta2), mul(w(E.TABLE_4), beta3));
  const lookupTerm = s(
    add(add(w(E.W_L), gamma), mul(w(E.Q_R), w(E.W_L_SHIFT))),
    mul(add(w(E.W_R), mul(w(E.Q_M), w(E.W_R_SHIFT))), beta),
    mul(add(w(E.W_O), mul(w(E.Q_C), w(E.W_O_SHIFT))), beta2),
    mul(w(E.Q_O), beta3),
  );
  const inverseExistsXor = sub(add(w(E.LOOKUP_READ_TAGS), w(E.Q_LOOKUP)), mul(w(E.LOOKUP_READ_TAGS), w(E.Q_LOOKUP)));
  ev[3] = mul(sub(m(lookupTerm, tableTerm, w(E.LOOKUP_INVERSES)), inverseExistsXor), sep);
  ev[4] = sub(m(w(E.Q_LOOKUP), w(E.LOOKUP_INVERSES), tableTerm), m(w(E.LOOKUP_READ_COUNTS), w(E.LOOKUP_INVERSES), lookupTerm));
  ev[5] = mul(sub(mul(w(E.LOOKUP_READ_TAGS), w(E.LOOKUP_READ_TAGS)), w(E.LOOKUP_READ_TAGS)), sep);

  // Arithmetic (6-7)
  const qArith = w(E.Q_ARITH);
  let arith = m(sub(qArith, 3n), m(w(E.Q_M), w(E.W_R), w(E.W_L)), NEG_HALF);
  arith = s(arith, mul(w(E.Q_L), w(E.W_L)), mul(w(E.Q_R), w(E.W_R)), mul(w(E.Q_O), w(E.W_O)), mul(w(E.Q_4), w(E.W_4)), w(E.Q_C));
  arith = add(arith, mul(sub(qArith, 1n), w(E.W_4_SHIFT)));
  ev[6] = m(arith, qArith, sep);
  ev[7] = m(sub(add(add(w(E.W_L), w(E.W_4)), w(E.Q_M)), w(E.W_L_SHIFT)), sub(qArith, 2n), sub(qArith, 1n), qArith, sep);

  // Delta range (8-11)
  const deltas = [sub(w(E.W_R), w(E.W_L)), sub(w(E.W_O), w(E.W_R)), sub(w(E.W_4), w(E.W_O)), sub(w(E.W_L_SHIFT), w(E.W_4))];
  deltas.forEach((d, i) => {
    ev[8 + i] = m(d, sub(d, 1n), sub(d, 2n), sub(d, 3n), w(E.Q_RANGE), sep);
  });

  // Elliptic (12-13)
  {
    const x1 = w(E.W_R);
    const y1 = w(E.W_O);
    const x2 = w(E.W_L_SHIFT);
    const y2 = w(E.W_4_SHIFT);
    const y3 = w(E.W_O_SHIFT);
    const x3 = w(E.W_R_SHIFT);
    const qSign = w(E.Q_L);
    const qIsDouble = w(E.Q_M);
    const qElliptic = w(E.Q_ELLIPTIC);
    const xDiff = sub(x2, x1);
    const y1Sqr = mul(y1, y1);
    const y1y2 = m(y1, y2, qSign);
    const xAdd = sub(sub(m(s(x3, x2, x1), xDiff, xDiff), mul(y2, y2)), y1Sqr);
    const notDouble = sub(1n, qIsDouble);
    ev[12] = m(add(add(xAdd, y1y2), y1y2), sep, qElliptic, notDouble);
    const yAdd = add(mul(add(y1, y3), xDiff), mul(sub(x3, x1), sub(mul(y2, qSign), y1)));
    ev[13] = m(yAdd, sep, qElliptic, notDouble);
    const xPow4 = mul(add(y1Sqr, GRUMPKIN_B_NEG), x1);
    const xDouble = sub(mul(s(x3, x1, x1), mul(y1Sqr, 4n)), mul(xPow4, 9n));
    ev[12] = add(ev[12], m(xDouble, sep, qElliptic, qIsDouble));
    const yDouble = sub(m(mul(x1, 3n), x1, sub(x1, x3)), mul(add(y1, y1), add(y1, y3)));
    ev[13] = add(ev[13], m(yDouble, sep, qElliptic, qIsDouble));
  }

  // Memory (14-19)
  {
    const eta2 = mul(eta, eta);
    const eta3 = mul(eta2, eta);
    const qMemSep = mul(w(E.Q_MEMORY), sep);
    const partialRecordCheck = s(mul(w(E.W_O), eta3), mul(w(E.W_R), eta2), mul(w(E.W_L), eta), w(E.Q_C));
    const memoryRecordCheck = sub(partialRecordCheck, w(E.W_4));
    const indexDelta = sub(w(E.W_L_SHIFT), w(E.W_L));
    const recordDelta = sub(w(E.W_4_SHIFT), w(E.W_4));
    const indexIsMonotonic = mul(indexDelta, sub(indexDelta, 1n));
    const notIndexDelta = sub(1n, indexDelta);
    const qlqr = mul(w(E.Q_L), w(E.Q_R));
    ev[15] = m(mul(notIndexDelta, recordDelta), qlqr, qMemSep);
    ev[16] = m(indexIsMonotonic, qlqr, qMemSep);
    const romConsistency = mul(memoryRecordCheck, qlqr);
    const accessType = sub(w(E.W_4), partialRecordCheck);
    const accessCheck = mul(accessType, sub(accessType, 1n));
    const nextGateAccessType = sub(w(E.W_4_SHIFT), s(mul(w(E.W_O_SHIFT), eta3), mul(w(E.W_R_SHIFT), eta2), mul(w(E.W_L_SHIFT), eta)));
    const valueDelta = sub(w(E.W_O_SHIFT), w(E.W_O));
    const readMatch = m(notIndexDelta, valueDelta, sub(1n, nextGateAccessType));
    const nextAccessBoolean = sub(mul(nextGateAccessType, nextGateAccessType), nextGateAccessType);
    ev[17] = m(readMatch, w(E.Q_O), qMemSep);
    ev[18] = m(indexIsMonotonic, w(E.Q_O), qMemSep);
    ev[19] = m(nextAccessBoolean, w(E.Q_O), qMemSep);
    const ramConsistency = mul(accessCheck, w(E.Q_O));
    const timestampDelta = sub(w(E.W_R_SHIFT), w(E.W_R));
    const ramTimestamp = sub(mul(notIndexDelta, timestampDelta), w(E.W_O));
    const identity = s(romConsistency, m(ramTimestamp, w(E.Q_4), w(E.Q_L)), m(memoryRecordCheck, w(E.Q_M), w(E.Q_L)), ramConsistency);
    ev[14] = mul(identity, qMemSep);
  }

  // Non-native field (20)
  {
    let limbSubproduct = add(mul(w(E.W_L), w(E.W_R_SHIFT)), mul(w(E.W_L_SHIFT), w(E.W_R)));
    let gate2 = sub(add(mul(w(E.W_L), w(E.W_4)), mul(w(E.W_R), w(E.W_O))), w(E.W_O_SHIFT));
    gate2 = mul(add(sub(mul(gate2, LIMB_SIZE), w(E.W_4_SHIFT)), limbSubproduct), w(E.Q_4));
    limbSubproduct = add(mul(limbSubproduct, LIMB_SIZE), mul(w(E.W_L_SHIFT), w(E.W_R_SHIFT)));
    const gate1 = mul(sub(limbSubproduct, add(w(E.W_O), w(E.W_4))), w(E.Q_O));
    const gate3 = mul(sub(add(limbSubproduct, w(E.W_4)), add(w(E.W_O_SHIFT), w(E.W_4_SHIFT))), w(E.Q_M));
    const nonNativeField = mul(s(gate1, gate2, gate3), w(E.Q_R));
    const accumulate = (terms: bigint[], last: bigint) => sub(terms.reduce((acc, t) => add(mul(acc, SUBLIMB_SHIFT), t)), last);
    const limbAcc1 = mul(accumulate([w(E.W_R_SHIFT), w(E.W_L_SHIFT), w(E.W_O), w(E.W_R), w(E.W_L)], w(E.W_4)), w(E.Q_4));
    const limbAcc2 = mul(accumulate([w(E.W_O_SHIFT), w(E.W_R_SHIFT), w(E.W_L_SHIFT), w(E.W_4), w(E.W_O)], w(E.W_4_SHIFT)), w(E.Q_M));
    const limbAccumulator = mul(add(limbAcc1, limbAcc2), w(E.Q_O));
    ev[20] = m(add(nonNativeField, limbAccumulator), w(E.Q_NNF), sep);
  }

  // Poseidon2 external round (21-24)
  {
    const u = [
      pow5(add(w(E.W_L), w(E.Q_L))),
      pow5(add(w(E.W_R), w(E.Q_R))),
      pow5(add(w(E.W_O), w(E.Q_O))),
      pow5(add(w(E.W_4), w(E.Q_4))),
    ] as const;
    const t0 = add(u[0], u[1]);
    const t1 = add(u[2], u[3]);
    const t2 = s(u[1], u[1], t1);
    const t3 = s(u[3], u[3], t0);
    const v4 = add(mul(t1, 4n), t3);
    const v2 = add(mul(t0, 4n), t2);
    const v1 = add(t3, v2);
    const v3 = add(t2, v4);
    const q = mul(w(E.Q_POSEIDON2_EXTERNAL), sep);
    ev[21] = mul(q, sub(v1, w(E.W_L_SHIFT)));
    ev[22] = mul(q, sub(v2, w(E.W_R_SHIFT)));
    ev[23] = mul(q, sub(v3, w(E.W_O_SHIFT)));
    ev[24] = mul(q, sub(v4, w(E.W_4_SHIFT)));
  }

  // Poseidon2 internal round (25-28)
  {
    const u = [pow5(add(w(E.W_L), w(E.Q_L))), w(E.W_R), w(E.W_O), w(E.W_4)];
    const uSum = s(...u);
    const q = mul(w(E.Q_POSEIDON2_INTERNAL), sep);
    const shifted = [w(E.W_L_SHIFT), w(E.W_R_SHIFT), w(E.W_O_SHIFT), w(E.W_4_SHIFT)];
    for (let i = 0; i < 4; i++) ev[25 + i] = mul(q, sub(add(mul(u[i]!, POSEIDON2_INTERNAL_DIAGONAL[i]!), uSum), shifted[i]!));
  }
  return ev;
}

/** The full relation: subrelation 0 plus subrelation i times alpha^i. */
export function batchSubrelations(ev: readonly bigint[], alpha: bigint): bigint {
  let acc = ev[0]!;
  let power = 1n;
  for (let i = 1; i < ev.length; i++) {
    power = mul(power, alpha);
    acc = add(acc, mul(ev[i]!, power));
  }
  return acc;
}
