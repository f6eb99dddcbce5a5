// Poseidon2 on 32-byte big-endian field elements: the native in-process build when available,
// else bb through the protocol's helper.
import { poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';
import { loadNativePoseidon2, type NativePoseidon2 } from './native/poseidon2-native.js';
import { bytesToBigint, bigintToBytes } from './encoding.js';

export interface Hasher {
  readonly kind: 'native' | 'bb';
  /** poseidon2([a, b]). */
  hash2(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** poseidon2(fields), fields given as 32-byte big-endian values. */
  hashFields(fields: readonly Uint8Array[]): Uint8Array;
  /** n hashes of `arity` fields each: input n*arity*32 bytes, output n*32 bytes. */
  hashBatch(input: Uint8Array, output: Uint8Array, n: number, arity: number): void;
}

class NativeHasher implements Hasher {
  readonly kind = 'native' as const;
  private readonly pair = new Uint8Array(64);
  private readonly many = new Uint8Array(32 * 64);
  constructor(private readonly mod: NativePoseidon2) {}
  hash2(a: Uint8Array, b: Uint8Array): Uint8Array {
    this.pair.set(a, 0);
    this.pair.set(b, 32);
    const out = Buffer.allocUnsafe(32);
    this.mod.hashPairs(this.pair, out, 1);
    return out;
  }
  hashFields(fields: readonly Uint8Array[]): Uint8Array {
    if (fields.length > 64) throw new RangeError('at most 64 fields');
    fields.forEach((f, i) => this.many.set(f, 32 * i));
    const out = Buffer.allocUnsafe(32);
    this.mod.hashN(this.many, out, 1, fields.length);
    return out;
  }
  hashBatch(input: Uint8Array, output: Uint8Array, n: number, arity: number): void {
    if (arity === 2) this.mod.hashPairs(input, output, n);
    else this.mod.hashN(input, output, n, arity);
  }
}

class BbHasher implements Hasher {
  readonly kind = 'bb' as const;
  hash2(a: Uint8Array, b: Uint8Array): Uint8Array {
    return bigintToBytes(poseidon2Hash([bytesToBigint(a), bytesToBigint(b)]));
  }
  hashFields(fields: readonly Uint8Array[]): Uint8Array {
    return bigintToBytes(poseidon2Hash(fields.map(bytesToBigint)));
  }
  hashBatch(input: Uint8Array, output: Uint8Array, n: number, arity: number): void {
    for (let i = 0; i < n; i++) {
      const fields = Array.from({ length: arity }, (_, k) => input.subarray(32 * (i * arity + k), 32 * (i * arity + k + 1)));
      output.set(this.hashFields(fields), 32 * i);
    }
  }
}

let defaultHasher: Hasher | undefined;

export function getHasher(): Hasher {
  if (!defaultHasher) {
    const mod = loadNativePoseidon2();
    defaultHasher = mod ? new NativeHasher(mod) : new BbHasher();
  }
  return defaultHasher;
}

export function getBbHasher(): Hasher {
  return new BbHasher();
}
