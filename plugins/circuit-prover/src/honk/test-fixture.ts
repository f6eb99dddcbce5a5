// Test support for the UltraHonk verifier: a committed dev-CRS tx proof (so fast unit tests verify a
// real bb proof without bb), written and checked for staleness by test/real/tx-proof-verifier.real.test.ts,
// and the tampered variants of a proof and VK that every verifier must refuse.
import { readFileSync, writeFileSync } from 'node:fs';
import { bn254, bn254_Fr as Fr } from '@noble/curves/bn254.js';
import { G1_FIELDS, g1FromLimbs, zkProofLayout } from './encoding.js';

export const FIXTURE_PATH = new URL('./fixtures/dev-tx-proof.json', import.meta.url);

export interface ProofFixture {
  /** The dev CRS's id (it keys the VK cache). */
  crsId: string;
  vk: bigint[];
  proof: bigint[];
  publicInputs: bigint[];
  /** A proof of another circuit (parity-base), which the tx VK must refuse. */
  other: { circuit: string; proof: bigint[]; publicInputs: bigint[] };
}

const toHex = (xs: readonly bigint[]) => xs.map((x) => `0x${x.toString(16)}`);
const fromHex = (xs: readonly string[]) => xs.map((x) => BigInt(x));

export function loadProofFixture(): ProofFixture {
  const j = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as { crsId: string; vk: string[]; proof: string[]; publicInputs: string[]; other: { circuit: string; proof: string[]; publicInputs: string[] } };
  return {
    crsId: j.crsId,
    vk: fromHex(j.vk),
    proof: fromHex(j.proof),
    publicInputs: fromHex(j.publicInputs),
    other: { circuit: j.other.circuit, proof: fromHex(j.other.proof), publicInputs: fromHex(j.other.publicInputs) },
  };
}

export function saveProofFixture(f: ProofFixture): void {
  const j = {
    note: 'A tx circuit proof (bb 5.0.0, noir-recursive) under the INSECURE dev CRS; regenerate with QUETZAL_UPDATE_FIXTURES=1 npm run test:real -- test/real/tx-proof-verifier.real.test.ts',
    crsId: f.crsId,
    vk: toHex(f.vk),
    publicInputs: toHex(f.publicInputs),
    proof: toHex(f.proof),
    other: { circuit: f.other.circuit, publicInputs: toHex(f.other.publicInputs), proof: toHex(f.other.proof) },
  };
  writeFileSync(FIXTURE_PATH, `${JSON.stringify(j, null, 1)}\n`);
}

const LIMB = 1n << 136n;

/** The 4 limbs of P + G: another valid point, so a check deeper than decoding must catch it. */
function shiftedPoint(limbs: readonly bigint[]): bigint[] {
  const p = g1FromLimbs(limbs, 'fixture point').add(bn254.G1.Point.BASE).toAffine();
  return [p.x % LIMB, p.x / LIMB, p.y % LIMB, p.y / LIMB];
}

/** For every part of the proof, its first and its last element changed (a point moved to another valid point, a field + 1). */
export function tamperedProofs(proof: readonly bigint[]): { what: string; proof: bigint[] }[] {
  const out: { what: string; proof: bigint[] }[] = [];
  let at = 0;
  for (const [part, { size, points }] of zkProofLayout()) {
    const step = points ? G1_FIELDS : 1;
    const firsts = size === step ? [at] : [at, at + size - step];
    for (const i of firsts) {
      const p = [...proof];
      if (step === G1_FIELDS) p.splice(i, G1_FIELDS, ...shiftedPoint(proof.slice(i, i + G1_FIELDS)));
      else p[i] = Fr.add(p[i]!, 1n);
      out.push({ what: `${part}[${(i - at) / step}]`, proof: p });
    }
    at += size;
  }
  return out;
}

/** The VK with each header field + 1, and each commitment moved to another valid point. */
export function tamperedVks(vk: readonly bigint[]): { what: string; vk: bigint[] }[] {
  const out = ['logCircuitSize', 'numPublicInputs', 'publicInputsOffset'].map((what, i) => ({ what, vk: vk.map((f, j) => (j === i ? f + 1n : f)) }));
  for (let i = 3; i < vk.length; i += G1_FIELDS) {
    const v = [...vk];
    v.splice(i, G1_FIELDS, ...shiftedPoint(vk.slice(i, i + G1_FIELDS)));
    out.push({ what: `commitment ${(i - 3) / G1_FIELDS}`, vk: v });
  }
  return out;
}
