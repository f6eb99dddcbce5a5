// Block header and its parts (SPEC.md "Block"). Every item is one 32-byte word.
import { HEADER_LENGTH } from '../constants.js';
import { bytesToFields, fieldsToBytes, sha256ToField } from '../hash/sha256.js';
import type { TreeSnapshot } from '../trees/types.js';

/** Reads fields in order; throws when the input runs short. */
export class FieldReader {
  private i = 0;
  constructor(private readonly fields: readonly bigint[]) {}
  read(): bigint {
    if (this.i >= this.fields.length) throw new RangeError(`field reader ran past ${this.fields.length} fields`);
    return this.fields[this.i++]!;
  }
  readN(n: number): bigint[] {
    return Array.from({ length: n }, () => this.read());
  }
  get remaining(): number {
    return this.fields.length - this.i;
  }
}

export class AppendOnlyTreeSnapshot {
  constructor(
    public readonly root: bigint,
    public readonly nextAvailableLeafIndex: bigint,
  ) {}
  static empty(): AppendOnlyTreeSnapshot {
    return new AppendOnlyTreeSnapshot(0n, 0n);
  }
  /** A tree's snapshot as the world state reports it. */
  static of(s: TreeSnapshot): AppendOnlyTreeSnapshot {
    return new AppendOnlyTreeSnapshot(s.root, BigInt(s.nextAvailableLeafIndex));
  }
  static read(r: FieldReader): AppendOnlyTreeSnapshot {
    return new AppendOnlyTreeSnapshot(r.read(), r.read());
  }
  toFields(): bigint[] {
    return [this.root, this.nextAvailableLeafIndex];
  }
  equals(o: AppendOnlyTreeSnapshot): boolean {
    return this.root === o.root && this.nextAvailableLeafIndex === o.nextAvailableLeafIndex;
  }
}

export class ContentCommitment {
  constructor(
    public readonly numTxs: bigint,
    public readonly txsEffectsHash: bigint,
    public readonly inHash: bigint,
    public readonly outHash: bigint,
  ) {}
  static empty(): ContentCommitment {
    return new ContentCommitment(0n, 0n, 0n, 0n);
  }
  static read(r: FieldReader): ContentCommitment {
    return new ContentCommitment(r.read(), r.read(), r.read(), r.read());
  }
  toFields(): bigint[] {
    return [this.numTxs, this.txsEffectsHash, this.inHash, this.outHash];
  }
}

export class StateReference {
  constructor(
    public readonly l1ToL2MessageTree: AppendOnlyTreeSnapshot,
    public readonly noteHashTree: AppendOnlyTreeSnapshot,
    public readonly nullifierTree: AppendOnlyTreeSnapshot,
    public readonly publicDataTree: AppendOnlyTreeSnapshot,
  ) {}
  static empty(): StateReference {
    const e = AppendOnlyTreeSnapshot.empty();
    return new StateReference(e, e, e, e);
  }
  /** The four state trees of a world-state reference. */
  static of(s: Record<'l1ToL2MessageTree' | 'noteHashTree' | 'nullifierTree' | 'publicDataTree', TreeSnapshot>): StateReference {
    return new StateReference(AppendOnlyTreeSnapshot.of(s.l1ToL2MessageTree), AppendOnlyTreeSnapshot.of(s.noteHashTree), AppendOnlyTreeSnapshot.of(s.nullifierTree), AppendOnlyTreeSnapshot.of(s.publicDataTree));
  }
  static read(r: FieldReader): StateReference {
    return new StateReference(
      AppendOnlyTreeSnapshot.read(r),
      AppendOnlyTreeSnapshot.read(r),
      AppendOnlyTreeSnapshot.read(r),
      AppendOnlyTreeSnapshot.read(r),
    );
  }
  toFields(): bigint[] {
    return [
      ...this.l1ToL2MessageTree.toFields(),
      ...this.noteHashTree.toFields(),
      ...this.nullifierTree.toFields(),
      ...this.publicDataTree.toFields(),
    ];
  }
}

export class GlobalVariables {
  constructor(
    public readonly chainId: bigint,
    public readonly version: bigint,
    public readonly blockNumber: bigint,
    public readonly slotNumber: bigint,
    public readonly timestamp: bigint,
    /** The block's fee recipient: an L1 address as a Field. */
    public readonly coinbase: bigint,
  ) {}
  static empty(): GlobalVariables {
    return new GlobalVariables(0n, 0n, 0n, 0n, 0n, 0n);
  }
  static read(r: FieldReader): GlobalVariables {
    return new GlobalVariables(r.read(), r.read(), r.read(), r.read(), r.read(), r.read());
  }
  toFields(): bigint[] {
    return [this.chainId, this.version, this.blockNumber, this.slotNumber, this.timestamp, this.coinbase];
  }
  /** The coinbase as a 0x-prefixed, lower-case 20-byte address. */
  coinbaseAddress(): `0x${string}` {
    return `0x${this.coinbase.toString(16).padStart(40, '0')}`;
  }
}

/** An L1 address (hex) as a Field. */
export function addressToField(address: string): bigint {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new RangeError(`not an address: ${address}`);
  return BigInt(address);
}

export class BlockHeader {
  constructor(
    public readonly lastArchive: AppendOnlyTreeSnapshot,
    public readonly contentCommitment: ContentCommitment,
    public readonly state: StateReference,
    public readonly globalVariables: GlobalVariables,
    public readonly totalFees: bigint,
  ) {}

  static empty(): BlockHeader {
    return new BlockHeader(AppendOnlyTreeSnapshot.empty(), ContentCommitment.empty(), StateReference.empty(), GlobalVariables.empty(), 0n);
  }

  /**
   * The genesis header (SPEC "Block"): lastArchive = the empty archive tree, all-zero content, the
   * trees after genesis, block number 0, the chain's id and version, no fees.
   */
  static genesis(state: StateReference, emptyArchiveRoot: bigint, chainId: bigint, version: bigint): BlockHeader {
    return new BlockHeader(new AppendOnlyTreeSnapshot(emptyArchiveRoot, 0n), ContentCommitment.empty(), state, new GlobalVariables(chainId, version, 0n, 0n, 0n, 0n), 0n);
  }

  /** The HEADER_LENGTH words, in SPEC order. */
  toFields(): bigint[] {
    const f = [
      ...this.lastArchive.toFields(),
      ...this.contentCommitment.toFields(),
      ...this.state.toFields(),
      ...this.globalVariables.toFields(),
      this.totalFees,
    ];
    if (f.length !== HEADER_LENGTH) throw new Error(`header has ${f.length} words, expected ${HEADER_LENGTH}`);
    return f;
  }

  static fromFields(fields: readonly bigint[]): BlockHeader {
    if (fields.length !== HEADER_LENGTH) throw new RangeError(`a header has ${HEADER_LENGTH} words, got ${fields.length}`);
    const r = new FieldReader(fields);
    return new BlockHeader(AppendOnlyTreeSnapshot.read(r), ContentCommitment.read(r), StateReference.read(r), GlobalVariables.read(r), r.read());
  }

  /** HEADER_LENGTH * 32 bytes: what `propose` takes and what L1 hashes. */
  toBytes(): Uint8Array {
    return fieldsToBytes(this.toFields());
  }

  static fromBytes(bytes: Uint8Array): BlockHeader {
    if (bytes.length !== HEADER_LENGTH * 32) throw new RangeError(`a header is ${HEADER_LENGTH * 32} bytes, got ${bytes.length}`);
    return BlockHeader.fromFields(bytesToFields(bytes));
  }

  /** headerHash = sha256ToField(header bytes): what L1 stores and the root proof commits to. */
  hash(): bigint {
    return sha256ToField(this.toBytes());
  }

  get blockNumber(): bigint {
    return this.globalVariables.blockNumber;
  }
  get slotNumber(): bigint {
    return this.globalVariables.slotNumber;
  }
}

/** headerHash = sha256ToField(header bytes). */
export function headerHash(header: BlockHeader): bigint {
  return header.hash();
}
