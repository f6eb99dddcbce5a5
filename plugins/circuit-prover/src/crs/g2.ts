// [x]_2: the one point of a KZG setup a verifier needs besides the generators. bb writes it as
// 128 bytes, x.c0 || x.c1 || y.c0 || y.c1 (each 32-byte big-endian); Solidity's pairing precompile
// (EIP-197) takes the same coordinates as x.c1, x.c0, y.c1, y.c0.
import { bn254 } from '@noble/curves/bn254.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';

export type G2Point = WeierstrassPoint<{ c0: bigint; c1: bigint }>;

export const G2_BYTES = 128;

/** Ignition's [x]_2, which bb 5.0.0 pins in its own verifiers. */
export const IGNITION_G2 = Uint8Array.from(
  Buffer.from(
    '0118c4d5b837bcc2bc89b5b398b5974e9f5944073b32078b7e231fec938883b0' +
      '260e01b251f6f1c7e7ff4e580791dee8ea51d87a358e038b4efe30fac09383c1' +
      '22febda3c0c0632a56475b4214e5615e11e6dd3f96e6cea2854a87d4dacc5e55' +
      '04fc6369f7110fe3d25156c1bb9a72859cf2a04641f99ba4ee413c80da6a5fe4',
    'hex',
  ),
);

function words(g2: Uint8Array): [string, string, string, string] {
  if (g2.length !== G2_BYTES) throw new RangeError(`a G2 point is ${G2_BYTES} bytes, got ${g2.length}`);
  const h = Buffer.from(g2).toString('hex');
  return [h.slice(0, 64), h.slice(64, 128), h.slice(128, 192), h.slice(192, 256)];
}

/** The point, checked to be on the curve and in the prime-order subgroup. */
export function g2Point(g2: Uint8Array): G2Point {
  const [xc0, xc1, yc0, yc1] = words(g2).map((w) => BigInt(`0x${w}`)) as [bigint, bigint, bigint, bigint];
  const Fp2 = bn254.fields.Fp2;
  const p = bn254.G2.Point.fromAffine({ x: Fp2.create({ c0: xc0, c1: xc1 }), y: Fp2.create({ c0: yc0, c1: yc1 }) });
  p.assertValidity();
  return p;
}

/** The four 32-byte hex words in EIP-197 order (x.c1, x.c0, y.c1, y.c0). */
export function eip197Words(g2: Uint8Array): [string, string, string, string] {
  const [xc0, xc1, yc0, yc1] = words(g2);
  return [xc1, xc0, yc1, yc0];
}
