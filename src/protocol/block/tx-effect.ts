// TxEffect: the fixed-size effects of one tx (SPEC.md "Tx").
import { MAX_L2_TO_L1_MSGS_PER_TX, MAX_NOTE_HASHES_PER_TX, MAX_NULLIFIERS_PER_TX, TX_EFFECT_LENGTH, TX_EFFECT_SIZE_BYTES } from '../constants.js';
import { bytesToFields, fieldsToBytes, padTo, sha256ToField } from '../hash/sha256.js';
import { FieldReader } from './header.js';

export class TxEffect {
  /** Arrays are kept padded with 0 to their maximum length. */
  public readonly noteHashes: readonly bigint[];
  public readonly nullifiers: readonly bigint[];
  public readonly l2ToL1Msgs: readonly bigint[];

  constructor(
    public readonly txHash: bigint,
    public readonly transactionFee: bigint,
    public readonly feePayer: bigint,
    noteHashes: readonly bigint[],
    nullifiers: readonly bigint[],
    l2ToL1Msgs: readonly bigint[],
  ) {
    this.noteHashes = padTo(noteHashes, MAX_NOTE_HASHES_PER_TX);
    this.nullifiers = padTo(nullifiers, MAX_NULLIFIERS_PER_TX);
    this.l2ToL1Msgs = padTo(l2ToL1Msgs, MAX_L2_TO_L1_MSGS_PER_TX);
  }

  toFields(): bigint[] {
    return [this.txHash, this.transactionFee, this.feePayer, ...this.noteHashes, ...this.nullifiers, ...this.l2ToL1Msgs];
  }

  static fromFields(fields: readonly bigint[]): TxEffect {
    if (fields.length !== TX_EFFECT_LENGTH) throw new RangeError(`a TxEffect has ${TX_EFFECT_LENGTH} words, got ${fields.length}`);
    const r = new FieldReader(fields);
    return new TxEffect(r.read(), r.read(), r.read(), r.readN(MAX_NOTE_HASHES_PER_TX), r.readN(MAX_NULLIFIERS_PER_TX), r.readN(MAX_L2_TO_L1_MSGS_PER_TX));
  }

  /** TX_EFFECT_SIZE_BYTES bytes: each Field as 32 bytes, in SPEC order. */
  encode(): Uint8Array {
    return fieldsToBytes(this.toFields());
  }

  static decode(bytes: Uint8Array): TxEffect {
    if (bytes.length !== TX_EFFECT_SIZE_BYTES) throw new RangeError(`an encoded TxEffect is ${TX_EFFECT_SIZE_BYTES} bytes, got ${bytes.length}`);
    return TxEffect.fromFields(bytesToFields(bytes));
  }

  /** txEffectHash = sha256ToField(encoded TxEffect). */
  hash(): bigint {
    return sha256ToField(this.encode());
  }

  /** txOutHash = sha256ToField(l2ToL1Msgs[0] || l2ToL1Msgs[1] ...) over the padded array. */
  outHash(): bigint {
    return sha256ToField(fieldsToBytes(this.l2ToL1Msgs));
  }

  /** The non-zero L2->L1 messages. */
  nonEmptyL2ToL1Msgs(): bigint[] {
    return this.l2ToL1Msgs.filter((m) => m !== 0n);
  }
}

export function txEffectHash(effect: TxEffect): bigint {
  return effect.hash();
}

export function txOutHash(effect: TxEffect): bigint {
  return effect.outHash();
}
