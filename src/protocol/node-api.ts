// The node API a sequencer serves (JSON-RPC namespace `node`): txs in, txs out by hash (a prover's
// tx provider calls getTxsByHash), and epoch proof quotes in.
import { z } from 'zod';
import { zBytes, zUint } from '@quetzal/kernel/jsonrpc/codec';
import { createJsonRpcClient, type JsonRpcClientOptions } from '@quetzal/kernel/jsonrpc/client';
import { Tx } from './tx.js';
import { signedQuoteFromJson, signedQuoteToJson, type SignedEpochProofQuote } from './quote.js';

export const NODE_RPC_NAMESPACE = 'node';

export interface NodeApi {
  /** Validates and pools the tx; resolves with its hash, or rejects with the reason (TxRejectedError over JSON-RPC). */
  sendTx(tx: Tx): Promise<bigint>;
  /** A pooled or mined tx (with its client proof), or undefined. */
  getTxByHash(txHash: bigint): Promise<Tx | undefined>;
  /** One entry per hash, in order; undefined where unknown. */
  getTxsByHash(txHashes: bigint[]): Promise<(Tx | undefined)[]>;
  /** Validates a prover's signed quote and keeps it for the claim of its epoch. */
  submitEpochProofQuote(quote: SignedEpochProofQuote): Promise<void>;
  /** Txs waiting for a block. */
  getPendingTxCount(): Promise<number>;
}

/** A tx the node refuses; `message` is the reason the sender gets, `field` the tx field at fault (e.g. `proof`). */
export class TxRejectedError extends Error {
  override name = 'TxRejectedError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const zTx = z.codec(zBytes.in, z.custom<Tx>((v) => v instanceof Tx, 'expected a Tx'), {
  decode: (hex, ctx) => {
    try {
      return Tx.fromBytes(zBytes.decode(hex));
    } catch (e) {
      ctx.issues.push({ code: 'custom', message: `malformed tx: ${(e as Error).message}`, input: hex });
      return z.NEVER;
    }
  },
  encode: (tx) => zBytes.encode(tx.toBytes()),
});

const zAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte 0x address');
const zQuote = z.codec(
  z.object({
    quote: z.object({
      epochToProve: z.string().regex(/^\d+$/),
      validUntilSlot: z.string().regex(/^\d+$/),
      bondAmount: z.string().regex(/^\d+$/),
      prover: zAddress,
      basisPointFee: z.number().int().min(0).max(0xffffffff),
    }),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte signature'),
  }),
  z.custom<SignedEpochProofQuote>((v) => typeof v === 'object' && v !== null && 'quote' in v),
  { decode: (j) => signedQuoteFromJson(j as never), encode: (q) => signedQuoteToJson(q) as never },
);

export const NodeApiSchema = {
  sendTx: { params: z.tuple([zTx]), result: zUint },
  getTxByHash: { params: z.tuple([zUint]), result: zTx.nullable() },
  getTxsByHash: { params: z.tuple([z.array(zUint).max(10_000)]), result: z.array(zTx.nullable()) },
  submitEpochProofQuote: { params: z.tuple([zQuote]), result: z.null() },
  getPendingTxCount: { params: z.tuple([]), result: z.number().int() },
};

/** A remote node. sendTx and quotes are not retried on transport errors (the node may have taken them); reads are. */
export function createNodeClient(url: string, options: JsonRpcClientOptions = {}): NodeApi {
  const reads = createJsonRpcClient(url, NODE_RPC_NAMESPACE, NodeApiSchema, { timeoutMs: 30_000, retries: 2, ...options });
  const writes = createJsonRpcClient(url, NODE_RPC_NAMESPACE, NodeApiSchema, { timeoutMs: 30_000, ...options, retries: 0 });
  return {
    sendTx: (tx) => writes.sendTx(tx),
    getTxByHash: async (h) => (await reads.getTxByHash(h)) ?? undefined,
    getTxsByHash: async (hs) => (await reads.getTxsByHash(hs)).map((t) => t ?? undefined),
    submitEpochProofQuote: async (q) => void (await writes.submitEpochProofQuote(q)),
    getPendingTxCount: () => reads.getPendingTxCount(),
  };
}
