// Block body and the block-level hashes (SPEC.md "Block", "L1 -> L2 messages").
import { L1_TO_L2_MSGS_PER_BLOCK, TX_EFFECT_SIZE_BYTES } from '../constants.js';
import { concatBytes, padTo, sha256MerkleRoot, wonkyRoot } from '../hash/sha256.js';
import { TxEffect } from './tx-effect.js';

/** The block's tx effects; encoded as their concatenation (numTxs × TX_EFFECT_SIZE_BYTES). */
export class Body {
  constructor(public readonly txEffects: readonly TxEffect[]) {}

  static empty(): Body {
    return new Body([]);
  }

  encode(): Uint8Array {
    return concatBytes(...this.txEffects.map((e) => e.encode()));
  }

  static decode(bytes: Uint8Array): Body {
    if (bytes.length % TX_EFFECT_SIZE_BYTES !== 0) {
      throw new RangeError(`body length ${bytes.length} is not a multiple of ${TX_EFFECT_SIZE_BYTES}`);
    }
    const effects: TxEffect[] = [];
    for (let o = 0; o < bytes.length; o += TX_EFFECT_SIZE_BYTES) effects.push(TxEffect.decode(bytes.subarray(o, o + TX_EFFECT_SIZE_BYTES)));
    return new Body(effects);
  }

  get numTxs(): number {
    return this.txEffects.length;
  }

  /** The wonky tree over the txEffectHashes. */
  txsEffectsHash(): bigint {
    return txsEffectsHash(this.txEffects);
  }

  /** The wonky tree over the txOutHashes. */
  outHash(): bigint {
    return blockOutHash(this.txEffects);
  }
}

/** txsEffectsHash: the wonky tree over the block's txEffectHashes (0 for an empty block). */
export function txsEffectsHash(effects: readonly TxEffect[]): bigint {
  return wonkyRoot(effects.map((e) => e.hash()));
}

/** A block's outHash: the wonky tree over its txOutHashes (0 for an empty block). */
export function blockOutHash(effects: readonly TxEffect[]): bigint {
  return wonkyRoot(effects.map((e) => e.outHash()));
}

/** inHash: the sha256 Merkle root of the block's L1_TO_L2_MSGS_PER_BLOCK message leaves, 0-padded. */
export function computeInHash(leaves: readonly bigint[]): bigint {
  return sha256MerkleRoot(padTo(leaves, L1_TO_L2_MSGS_PER_BLOCK));
}

/** inHash of a block with no L1->L2 messages. */
export const EMPTY_IN_HASH: bigint = computeInHash([]);
