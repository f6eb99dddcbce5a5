// The root rollup's public inputs, in the order of the `root` circuit's public outputs (SPEC.md
// "Epoch root public inputs"). The Rollup rebuilds the same array from storage.
import { MAX_BLOCKS_PER_EPOCH, ROOT_PUBLIC_INPUTS_LENGTH } from './constants.js';
import { padTo, sha256MerkleRoot, toBytes32 } from './hash/sha256.js';
import { FieldReader } from './block/header.js';

export interface FeeRecipient {
  /** L1 address as a Field. */
  recipient: bigint;
  value: bigint;
}

export class RootRollupPublicInputs {
  public readonly headerHashes: readonly bigint[];
  public readonly fees: readonly FeeRecipient[];

  constructor(
    public readonly previousArchiveRoot: bigint,
    public readonly endArchiveRoot: bigint,
    headerHashes: readonly bigint[],
    fees: readonly FeeRecipient[],
    public readonly outHash: bigint,
    public readonly vkTreeRoot: bigint,
    public readonly proverId: bigint,
    public readonly chainId: bigint,
    public readonly version: bigint,
  ) {
    if (headerHashes.length > MAX_BLOCKS_PER_EPOCH) throw new RangeError(`${headerHashes.length} header hashes exceed ${MAX_BLOCKS_PER_EPOCH}`);
    if (fees.length > MAX_BLOCKS_PER_EPOCH) throw new RangeError(`${fees.length} fees exceed ${MAX_BLOCKS_PER_EPOCH}`);
    this.headerHashes = padTo(headerHashes, MAX_BLOCKS_PER_EPOCH);
    this.fees = [...fees, ...Array.from({ length: MAX_BLOCKS_PER_EPOCH - fees.length }, () => ({ recipient: 0n, value: 0n }))];
  }

  /** The ROOT_PUBLIC_INPUTS_LENGTH fields, in SPEC order. */
  toFields(): bigint[] {
    const f = [
      this.previousArchiveRoot,
      this.endArchiveRoot,
      ...this.headerHashes,
      ...this.fees.flatMap((x) => [x.recipient, x.value]),
      this.outHash,
      this.vkTreeRoot,
      this.proverId,
      this.chainId,
      this.version,
    ];
    if (f.length !== ROOT_PUBLIC_INPUTS_LENGTH) throw new Error(`root public inputs have ${f.length} fields, expected ${ROOT_PUBLIC_INPUTS_LENGTH}`);
    return f;
  }

  static fromFields(fields: readonly bigint[]): RootRollupPublicInputs {
    if (fields.length !== ROOT_PUBLIC_INPUTS_LENGTH) throw new RangeError(`expected ${ROOT_PUBLIC_INPUTS_LENGTH} fields, got ${fields.length}`);
    const r = new FieldReader(fields);
    const prev = r.read();
    const end = r.read();
    const headerHashes = r.readN(MAX_BLOCKS_PER_EPOCH);
    const fees = Array.from({ length: MAX_BLOCKS_PER_EPOCH }, () => ({ recipient: r.read(), value: r.read() }));
    return new RootRollupPublicInputs(prev, end, headerHashes, fees, r.read(), r.read(), r.read(), r.read(), r.read());
  }

  /** As the bytes32[] the verifier takes. */
  toHex(): `0x${string}`[] {
    return this.toFields().map((f) => `0x${Buffer.from(toBytes32(f)).toString('hex')}` as `0x${string}`);
  }
}

/** The epoch outHash: sha256 Merkle root of the per-block outHashes, 0-padded to MAX_BLOCKS_PER_EPOCH. */
export function computeEpochOutHash(blockOutHashes: readonly bigint[]): bigint {
  return sha256MerkleRoot(padTo(blockOutHashes, MAX_BLOCKS_PER_EPOCH));
}
