// A tx as its sender submits it: the effects the `tx` circuit binds (its public outputs) and the
// client proof. txHash = poseidon2(tx circuit public outputs) (SPEC.md "Tx").
import { MAX_L2_TO_L1_MSGS_PER_TX, MAX_NOTE_HASHES_PER_TX, MAX_NULLIFIERS_PER_TX, TX_PUBLIC_OUTPUTS_LENGTH } from './constants.js';
import { poseidon2Hash } from './hash/poseidon2.js';
import { bytesToFields, fieldsToBytes, padTo } from './hash/sha256.js';
import { flatten, unflatten } from './circuits/abi.js';
import { TxEffect } from './block/tx-effect.js';
import { TxPublicOutputsSchema, type TxCircuitInputs, type TxPublicOutputs } from './circuits/structs.js';
import type { CircuitProver, ProveOptions } from './circuit-prover.js';

/** txHash = poseidon2 of the tx circuit's flattened public outputs. */
export function txHashOf(outputs: TxPublicOutputs): bigint {
  return poseidon2Hash(flatten(TxPublicOutputsSchema, outputs));
}

/** The fee payer address a sender's secret controls (the `tx` circuit checks it). */
export function feePayerOf(secret: bigint): bigint {
  return poseidon2Hash([secret]);
}

/** A tx's first nullifier: poseidon2([secret, nonce]) (unique per (sender, nonce)). */
export function firstNullifierOf(secret: bigint, nonce: bigint): bigint {
  return poseidon2Hash([secret, nonce]);
}

export interface TxRequest {
  secret: bigint;
  nonce: bigint;
  chainId: bigint;
  version: bigint;
  transactionFee: bigint;
  noteHashes?: readonly bigint[];
  /** Nullifiers after the first one (which derives from secret and nonce). */
  extraNullifiers?: readonly bigint[];
  l2ToL1Msgs?: readonly bigint[];
}

/** The `tx` circuit inputs for a request (arrays 0-padded). */
export function buildTxCircuitInputs(req: TxRequest): TxCircuitInputs {
  return {
    secret: req.secret,
    nonce: req.nonce,
    effects: {
      chainId: req.chainId,
      version: req.version,
      transactionFee: req.transactionFee,
      feePayer: feePayerOf(req.secret),
      noteHashes: padTo(req.noteHashes ?? [], MAX_NOTE_HASHES_PER_TX),
      nullifiers: padTo([firstNullifierOf(req.secret, req.nonce), ...(req.extraNullifiers ?? [])], MAX_NULLIFIERS_PER_TX),
      l2ToL1Msgs: padTo(req.l2ToL1Msgs ?? [], MAX_L2_TO_L1_MSGS_PER_TX),
    },
  };
}

export class Tx {
  constructor(
    /** The tx circuit's public outputs: the effects the client proof binds. */
    public readonly publicOutputs: TxPublicOutputs,
    /** The client proof (PROOF_LENGTH fields; placeholder zeros under the simulated prover). */
    public readonly proof: readonly bigint[],
  ) {}

  /** Computed once: a Poseidon2 hash costs about a millisecond, and a tx's outputs never change. */
  private cachedHash: bigint | undefined;

  hash(): bigint {
    this.cachedHash ??= txHashOf(this.publicOutputs);
    return this.cachedHash;
  }

  /** The tx's effects as blocks carry them (txHash first). */
  toEffect(): TxEffect {
    const o = this.publicOutputs;
    return new TxEffect(this.hash(), o.transactionFee, o.feePayer, o.noteHashes, o.nullifiers, o.l2ToL1Msgs);
  }

  /** The public inputs the client proof verifies against. */
  publicInputs(): bigint[] {
    return flatten(TxPublicOutputsSchema, this.publicOutputs);
  }

  /** The length of toBytes(), without serializing. */
  byteLength(): number {
    return 4 + 32 * (TX_PUBLIC_OUTPUTS_LENGTH + this.proof.length);
  }

  /** Serialization: u32 BE count of proof fields, then the public outputs, then the proof. */
  toBytes(): Uint8Array {
    const body = fieldsToBytes([...this.publicInputs(), ...this.proof]);
    const out = new Uint8Array(4 + body.length);
    new DataView(out.buffer).setUint32(0, this.proof.length);
    out.set(body, 4);
    return out;
  }

  static fromBytes(bytes: Uint8Array): Tx {
    if (bytes.length < 4) throw new RangeError('truncated tx');
    const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
    const fields = bytesToFields(bytes.subarray(4));
    if (fields.length !== TX_PUBLIC_OUTPUTS_LENGTH + n) throw new RangeError(`tx has ${fields.length} fields, expected ${TX_PUBLIC_OUTPUTS_LENGTH + n}`);
    return new Tx(unflatten(TxPublicOutputsSchema, fields.slice(0, TX_PUBLIC_OUTPUTS_LENGTH)), fields.slice(TX_PUBLIC_OUTPUTS_LENGTH));
  }
}

/** Proves a tx request with the `tx` circuit (the sender's client proof) and returns the Tx. */
export async function proveTx(prover: Pick<CircuitProver, 'proveTx'>, req: TxRequest, options?: ProveOptions): Promise<Tx> {
  const result = await prover.proveTx(buildTxCircuitInputs(req), options);
  return new Tx(result.publicOutputs, result.proof);
}
