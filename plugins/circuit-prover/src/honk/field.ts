// BN254 scalar field arithmetic for the verifier (noble's field, its methods bound for brevity).
import { bn254_Fr as Fr } from '@noble/curves/bn254.js';

export { Fr };
export const add = (a: bigint, b: bigint) => Fr.add(a, b);
export const sub = (a: bigint, b: bigint) => Fr.sub(a, b);
export const mul = (a: bigint, b: bigint) => Fr.mul(a, b);
export const neg = (a: bigint) => Fr.neg(a);
