// A child proof as a parent circuit takes it: proof, VK and the VK's place in the VK tree.
import type { CircuitName } from '../circuit-names.js';
import { PROOF_LENGTH, VK_LENGTH } from '../constants.js';
import type { ChildProof } from './structs.js';
import type { VkTree } from './vk-tree.js';

/** A verification key as bb gives it: its fields (VK_LENGTH for noir-recursive) and its hash. */
export interface VerificationKeyData {
  fields: bigint[];
  hash: bigint;
}

/** What a proven circuit hands its parent. */
export interface ProofAndVk {
  circuit: CircuitName;
  /** PROOF_LENGTH fields (ZK UltraHonk, noir-recursive). */
  proof: bigint[];
  vk: VerificationKeyData;
}

export function childProofOf(child: ProofAndVk, vkTree: VkTree): ChildProof {
  if (child.proof.length !== PROOF_LENGTH) throw new RangeError(`${child.circuit} proof has ${child.proof.length} fields, expected ${PROOF_LENGTH}`);
  if (child.vk.fields.length !== VK_LENGTH) throw new RangeError(`${child.circuit} VK has ${child.vk.fields.length} fields, expected ${VK_LENGTH}`);
  return {
    proof: [...child.proof],
    vk: [...child.vk.fields],
    vkHash: child.vk.hash,
    vkIndex: BigInt(vkTree.indexOf(child.circuit)),
    vkPath: vkTree.siblingPath(child.circuit),
  };
}
