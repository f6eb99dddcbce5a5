// The native dev CRS generator (native/g1_powers.c): built on first use with the system's C
// compiler, checked against noble's scalar multiplication before use; g1-powers.ts (BigInt) takes
// over when it cannot be built or disagrees. QUETZAL_NATIVE_CRS=0 turns it off.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bn254 } from '@noble/curves/bn254.js';
import { buildNativeAddon } from '@quetzal/kernel/native-addon';
import { BN254_R, G1_POINT_BYTES, modPow } from './g1-powers.js';

interface NativeG1 {
  g1Powers(tau: Uint8Array, first: Uint8Array, out: Uint8Array, count: number): void;
}

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const be32 = (v: bigint) => Uint8Array.from(v.toString(16).padStart(64, '0').match(/../g)!.map((h) => parseInt(h, 16)));

function expected(scalar: bigint): Uint8Array {
  const p = bn254.G1.Point.BASE.multiply(scalar).toAffine();
  return new Uint8Array([...be32(p.x), ...be32(p.y)]);
}

function selfCheck(mod: NativeG1): void {
  const tau = 0x1234567890abcdef1234567890abcdefn;
  for (const start of [0, 1, 8191, 123_457]) {
    const out = new Uint8Array(3 * G1_POINT_BYTES);
    mod.g1Powers(be32(tau), be32(modPow(tau, BigInt(start), BN254_R)), out, 3);
    for (let k = 0; k < 3; k++) {
      const want = expected(modPow(tau, BigInt(start + k), BN254_R));
      if (!want.every((b, i) => b === out[k * G1_POINT_BYTES + i])) throw new Error(`native G1 powers disagree with noble at power ${start + k}`);
    }
  }
}

let loaded: NativeG1 | null | undefined;

/** The native generator, or null (then the BigInt one is used). */
function load(): NativeG1 | null {
  if (loaded !== undefined) return loaded;
  if (process.env.QUETZAL_NATIVE_CRS === '0') return (loaded = null);
  try {
    const path = buildNativeAddon({ name: 'g1-powers', files: { 'g1_powers.c': readFileSync(join(here, 'native', 'g1_powers.c'), 'utf8') }, main: 'g1_powers.c', buildDir: join(here, '..', '..', 'build') });
    const mod = require(path) as NativeG1;
    selfCheck(mod);
    loaded = mod;
  } catch (e) {
    process.emitWarning(`native dev CRS generator unavailable, using the slower BigInt one: ${(e as Error).message}`);
    loaded = null;
  }
  return loaded;
}

/** [tau^i]G1 for i in [start, start + count) natively, or undefined when no native build is usable. */
export function nativeG1Powers(tau: bigint, start: number, count: number): Uint8Array | undefined {
  const mod = load();
  if (!mod) return undefined;
  const out = new Uint8Array(count * G1_POINT_BYTES);
  mod.g1Powers(be32(tau), be32(modPow(tau, BigInt(start), BN254_R)), out, count);
  return out;
}
