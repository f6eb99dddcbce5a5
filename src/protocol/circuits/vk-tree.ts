// The VK tree (SPEC.md "VK tree"): a Poseidon2 Merkle tree of height VK_TREE_HEIGHT whose leaf i
// is the VK hash of circuit CIRCUIT_NAMES[i] (0 for unused leaves).
import { CIRCUIT_NAMES, vkIndexOf, type CircuitName } from '../circuit-names.js';
import { VK_LENGTH, VK_TREE_HEIGHT } from '../constants.js';
import { poseidon2Hash } from '../hash/poseidon2.js';
import { sha256ToField } from '../hash/sha256.js';

/**
 * The placeholder VK of a circuit under the simulated prover: VK_LENGTH fields, deterministic per
 * circuit, and their hash computed as bb hashes a VK (poseidon2 of the fields), which the circuits
 * check.
 */
export function simulatedVk(circuit: CircuitName): { fields: bigint[]; hash: bigint } {
  const fields = Array<bigint>(VK_LENGTH).fill(0n);
  fields[0] = sha256ToField(new TextEncoder().encode(`quetzal:simulated-vk:${circuit}`));
  return { fields, hash: poseidon2Hash(fields) };
}

/** The placeholder VK hash of a circuit under the simulated prover. */
export function simulatedVkHash(circuit: CircuitName): bigint {
  return simulatedVk(circuit).hash;
}

export class VkTree {
  private readonly layers: bigint[][];

  private constructor(public readonly vkHashes: Readonly<Record<CircuitName, bigint>>) {
    if (CIRCUIT_NAMES.length > 2 ** VK_TREE_HEIGHT) throw new Error(`${CIRCUIT_NAMES.length} circuits do not fit a VK tree of height ${VK_TREE_HEIGHT}`);
    const leaves = Array.from({ length: 2 ** VK_TREE_HEIGHT }, (_, i) => (i < CIRCUIT_NAMES.length ? vkHashes[CIRCUIT_NAMES[i]!] : 0n));
    this.layers = [leaves];
    for (let h = 0; h < VK_TREE_HEIGHT; h++) {
      const below = this.layers[h]!;
      const layer: bigint[] = [];
      for (let i = 0; i < below.length; i += 2) layer.push(poseidon2Hash([below[i]!, below[i + 1]!]));
      this.layers.push(layer);
    }
  }

  /** From the real VK hashes (one per circuit, for the CRS in use). */
  static fromVkHashes(vkHashes: Readonly<Record<CircuitName, bigint>>): VkTree {
    for (const name of CIRCUIT_NAMES) if (typeof vkHashes[name] !== 'bigint') throw new TypeError(`missing VK hash of ${name}`);
    return new VkTree({ ...vkHashes });
  }

  /** The simulated prover's tree of placeholder VK hashes. */
  static simulated(): VkTree {
    return new VkTree(Object.fromEntries(CIRCUIT_NAMES.map((n) => [n, simulatedVkHash(n)])) as Record<CircuitName, bigint>);
  }

  get root(): bigint {
    return this.layers[VK_TREE_HEIGHT]![0]!;
  }

  vkHash(circuit: CircuitName): bigint {
    return this.vkHashes[circuit];
  }

  indexOf(circuit: CircuitName): number {
    return vkIndexOf(circuit);
  }

  /** Sibling path of the circuit's leaf, leaf level first. */
  siblingPath(circuit: CircuitName): bigint[] {
    let index = vkIndexOf(circuit);
    const path: bigint[] = [];
    for (let h = 0; h < VK_TREE_HEIGHT; h++) {
      path.push(this.layers[h]![index ^ 1]!);
      index >>= 1;
    }
    return path;
  }
}
