// sha256-based hashing that L1 recomputes (SPEC.md "Fields and hashes", "Block").
// Pure TypeScript, no Barretenberg: safe to import from L1 code and light tools.
import { sha256 } from '@noble/hashes/sha2.js';

/** BN254 scalar field modulus (the same value as FIELD_MODULUS in poseidon2.ts, kept here so this module stays bb-free). */
export const BN254_FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A Field (or any value < 2^256) as 32 bytes big-endian. Refuses negatives and values >= 2^256. */
export function toBytes32(value: bigint): Uint8Array {
  if (value < 0n || value >> 256n !== 0n) throw new RangeError(`value does not fit 32 bytes: ${value}`);
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Big-endian bytes to a bigint. */
export function fromBytes(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Fields as consecutive 32-byte big-endian words. */
export function fieldsToBytes(fields: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(32 * fields.length);
  fields.forEach((f, i) => out.set(toBytes32(f), 32 * i));
  return out;
}

/** 32-byte words back to bigints; the length must be a multiple of 32. */
export function bytesToFields(bytes: Uint8Array): bigint[] {
  if (bytes.length % 32 !== 0) throw new RangeError(`byte length ${bytes.length} is not a multiple of 32`);
  const out: bigint[] = [];
  for (let i = 0; i < bytes.length; i += 32) out.push(fromBytes(bytes.subarray(i, i + 32)));
  return out;
}

/** sha256, then the first byte set to 0: the value is < 2^248, a Field and a bytes32 alike. */
export function sha256ToField(bytes: Uint8Array): bigint {
  const h = sha256(bytes);
  h[0] = 0;
  return fromBytes(h);
}

/** The node hash of every sha256 tree: sha256ToField(left || right). */
export function sha256Node(left: bigint, right: bigint): bigint {
  return sha256ToField(concatBytes(toBytes32(left), toBytes32(right)));
}

/**
 * Balanced sha256 Merkle root over a power-of-two number of leaves (node = sha256ToField(l || r)).
 * Pad the leaves yourself (e.g. with `padTo`); a single leaf is its own root.
 */
export function sha256MerkleRoot(leaves: readonly bigint[]): bigint {
  const n = leaves.length;
  if (n === 0 || (n & (n - 1)) !== 0) throw new RangeError(`sha256MerkleRoot needs a power-of-two number of leaves, got ${n}`);
  let level = [...leaves];
  while (level.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256Node(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

/** `xs` padded with `fill` up to `length` (refuses longer input). */
export function padTo(xs: readonly bigint[], length: number, fill = 0n): bigint[] {
  if (xs.length > length) throw new RangeError(`${xs.length} items exceed the padded length ${length}`);
  return [...xs, ...Array<bigint>(length - xs.length).fill(fill)];
}

/** Largest power of two strictly below n (n >= 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/**
 * The "wonky" tx-tree root (SPEC.md "Block"): n = 1 is the leaf itself; otherwise the left
 * subtree holds the largest power of two strictly below n leaves and the right subtree the rest
 * (n=2: 1+1, 3: 2+1, 4: 2+2, 5: 4+1). n = 0 (an empty block) gives 0.
 */
export function wonkyRoot(leaves: readonly bigint[]): bigint {
  const n = leaves.length;
  if (n === 0) return 0n;
  if (n === 1) return leaves[0]!;
  const k = largestPowerOfTwoBelow(n);
  return sha256Node(wonkyRoot(leaves.slice(0, k)), wonkyRoot(leaves.slice(k)));
}

/** One step of a wonky-tree membership path, from the leaf up. */
export interface WonkyPathStep {
  sibling: bigint;
  /** true when the running node is the right child at this level. */
  isRight: boolean;
}

/** The path from leaf `index` to the wonky root (leaf first). Empty for a single leaf. */
export function wonkyPath(leaves: readonly bigint[], index: number): WonkyPathStep[] {
  const n = leaves.length;
  if (index < 0 || index >= n) throw new RangeError(`leaf index ${index} out of range for ${n} leaves`);
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  if (index < k) return [...wonkyPath(leaves.slice(0, k), index), { sibling: wonkyRoot(leaves.slice(k)), isRight: false }];
  return [...wonkyPath(leaves.slice(k), index - k), { sibling: wonkyRoot(leaves.slice(0, k)), isRight: true }];
}

/** Recomputes a root from a leaf and its path (the Outbox does the same on L1). */
export function rootFromPath(leaf: bigint, path: readonly WonkyPathStep[]): bigint {
  let node = leaf;
  for (const step of path) node = step.isRight ? sha256Node(step.sibling, node) : sha256Node(node, step.sibling);
  return node;
}

/** Balanced-tree path (for power-of-two leaf counts), leaf first. */
export function merklePath(leaves: readonly bigint[], index: number): WonkyPathStep[] {
  const n = leaves.length;
  if (n === 0 || (n & (n - 1)) !== 0) throw new RangeError(`merklePath needs a power-of-two number of leaves, got ${n}`);
  return wonkyPath(leaves, index); // for powers of two the wonky split is the balanced split
}
