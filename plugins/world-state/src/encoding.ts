// Byte encodings of fields, indices and LMDB keys.
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';

export function bigintToBytes(v: bigint): Buffer {
  if (v < 0n || v >= FIELD_MODULUS) throw new RangeError(`field element out of range: ${v}`);
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

export function bytesToBigint(b: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}

/** Heights up to 48: indices fit 6 bytes. */
export const MAX_HEIGHT = 48;

/** Key kinds after the tree id byte (levels use 0..MAX_HEIGHT). */
export const KIND_LEAF = 0xff; // indexed leaf preimage by index
export const KIND_KEY = 0xfe; // indexed tree: sorted key -> index
export const KIND_VALUE = 0xfd; // append-only tree: leaf value -> first index

export function nodeKey(tree: number, level: number, index: number): Buffer {
  const k = Buffer.allocUnsafe(8);
  k[0] = tree;
  k[1] = level;
  k.writeUIntBE(index, 2, 6);
  return k;
}

export function leafKey(tree: number, index: number): Buffer {
  return nodeKey(tree, KIND_LEAF, index);
}

export function sortedKey(tree: number, kind: number, field: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(34);
  k[0] = tree;
  k[1] = kind;
  k.set(field, 2);
  return k;
}

