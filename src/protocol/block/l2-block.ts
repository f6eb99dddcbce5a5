// L2Block = header + body + the archive tree snapshot after the block.
import { HEADER_LENGTH } from '../constants.js';
import { fieldsToBytes, bytesToFields, concatBytes } from '../hash/sha256.js';
import { Body } from './body.js';
import { AppendOnlyTreeSnapshot, BlockHeader } from './header.js';

export class L2Block {
  constructor(
    public readonly header: BlockHeader,
    public readonly body: Body,
    /** The archive tree after this block's hash was appended. */
    public readonly archive: AppendOnlyTreeSnapshot,
  ) {}

  get number(): bigint {
    return this.header.globalVariables.blockNumber;
  }

  /** headerHash (sha256ToField of the header bytes). */
  headerHash(): bigint {
    return this.header.hash();
  }

  /** Checks the header's content commitment against the body (numTxs, txsEffectsHash, outHash). */
  checkBody(): void {
    const cc = this.header.contentCommitment;
    if (cc.numTxs !== BigInt(this.body.numTxs)) throw new Error(`header says ${cc.numTxs} txs, body has ${this.body.numTxs}`);
    if (cc.txsEffectsHash !== this.body.txsEffectsHash()) throw new Error('txsEffectsHash does not match the body');
    if (cc.outHash !== this.body.outHash()) throw new Error('outHash does not match the body');
  }

  /** Serialization (not a protocol encoding): header bytes || archive root || archive next index || body. */
  toBytes(): Uint8Array {
    return concatBytes(this.header.toBytes(), fieldsToBytes(this.archive.toFields()), this.body.encode());
  }

  static fromBytes(bytes: Uint8Array): L2Block {
    const h = HEADER_LENGTH * 32;
    if (bytes.length < h + 64) throw new RangeError(`an L2Block is at least ${h + 64} bytes, got ${bytes.length}`);
    const [root, next] = bytesToFields(bytes.subarray(h, h + 64));
    return new L2Block(BlockHeader.fromBytes(bytes.subarray(0, h)), Body.decode(bytes.subarray(h + 64)), new AppendOnlyTreeSnapshot(root!, next!));
  }
}
