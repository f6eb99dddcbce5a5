// A tx as its sender submits it: the effects the `tx` circuit binds (its public outputs) and the
// client proof. txHash = poseidon2(tx circuit public outputs) (SPEC.md "Tx").
import { MAX_L2_TO_L1_MSGS_PER_TX, MAX_NOTE_HASHES_PER_TX, MAX_NULLIFIERS_PER_TX, TX_PUBLIC_OUTPUTS_LENGTH } from './constants.js';
import { poseidon2Hash } from './hash/poseidon2.js';
import { bytesToFields, fieldsToBytes, padTo, sha256ToField } from './hash/sha256.js';
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

/**
 * A nullifier as a tx emits it: siloed by the tx's account, so no account can emit (squat) another
 * account's nullifiers. 0 stays 0 (padding).
 */
export function siloNullifier(account: bigint, inner: bigint): bigint {
  return inner === 0n ? 0n : poseidon2Hash([account, inner]);
}

/** The inner value of a tx's first nullifier: poseidon2([secret, nonce]) (unique per (sender, nonce)). */
export function firstInnerNullifierOf(secret: bigint, nonce: bigint): bigint {
  return poseidon2Hash([secret, nonce]);
}

/** A tx's first nullifier: the siloed poseidon2([secret, nonce]). */
export function firstNullifierOf(secret: bigint, nonce: bigint): bigint {
  return siloNullifier(feePayerOf(secret), firstInnerNullifierOf(secret, nonce));
}

/** An L2->L1 message as its sender writes it; the sender is the tx's account. */
export interface L2ToL1Message {
  /** The L1 address that may consume it, as a Field (< 2^160, non-zero). */
  recipient: bigint;
  content: bigint;
}

export const EMPTY_L2_TO_L1_MESSAGE: L2ToL1Message = { recipient: 0n, content: 0n };

/**
 * The message's leaf (what the tx effect and the out hash carry): sha256ToField(sender || recipient
 * || content), 32-byte words (= Solidity's abi.encode(bytes32, address, bytes32)); 0 for an empty slot.
 */
export function l2ToL1MessageLeaf(sender: bigint, m: L2ToL1Message): bigint {
  if (m.recipient === 0n) return 0n;
  return sha256ToField(fieldsToBytes([sender, m.recipient, m.content]));
}

export interface TxRequest {
  secret: bigint;
  nonce: bigint;
  chainId: bigint;
  version: bigint;
  transactionFee: bigint;
  noteHashes?: readonly bigint[];
  /** Inner values of the nullifiers after the first one; the circuit silos them by the account. */
  extraNullifiers?: readonly bigint[];
  l2ToL1Msgs?: readonly L2ToL1Message[];
}

/** The `tx` circuit inputs for a request (arrays 0-padded). */
export function buildTxCircuitInputs(req: TxRequest): TxCircuitInputs {
  const account = feePayerOf(req.secret);
  const innerNullifiers = padTo([firstInnerNullifierOf(req.secret, req.nonce), ...(req.extraNullifiers ?? [])], MAX_NULLIFIERS_PER_TX);
  const msgs = req.l2ToL1Msgs ?? [];
  if (msgs.length > MAX_L2_TO_L1_MSGS_PER_TX) throw new RangeError(`at most ${MAX_L2_TO_L1_MSGS_PER_TX} L2->L1 messages per tx, got ${msgs.length}`);
  for (const m of msgs) {
    if (m.recipient <= 0n || m.recipient >= 1n << 160n) throw new RangeError(`L2->L1 message recipient must be a non-zero L1 address, got ${m.recipient}`);
  }
  const l2ToL1Msgs = [...msgs, ...Array<L2ToL1Message>(MAX_L2_TO_L1_MSGS_PER_TX - msgs.length).fill(EMPTY_L2_TO_L1_MESSAGE)];
  return {
    secret: req.secret,
    nonce: req.nonce,
    innerNullifiers,
    l2ToL1Msgs,
    effects: {
      chainId: req.chainId,
      version: req.version,
      transactionFee: req.transactionFee,
      feePayer: account,
      noteHashes: padTo(req.noteHashes ?? [], MAX_NOTE_HASHES_PER_TX),
      nullifiers: innerNullifiers.map((n) => siloNullifier(account, n)),
      l2ToL1Msgs: l2ToL1Msgs.map((m) => l2ToL1MessageLeaf(account, m)),
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
