// The node API over JSON-RPC (namespace `node`) and its client (the bot with --bot.node-url, a
// prover's tx provider).
import { createJsonRpcClient, type JsonRpcClientOptions } from '@quetzal/kernel/jsonrpc/client';
import { RpcError, RpcErrorCode } from '@quetzal/kernel/jsonrpc/errors';
import type { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import type { RpcHandlers } from '@quetzal/kernel/jsonrpc/schema';
import { NODE_RPC_NAMESPACE, NodeApiSchema, TxRejectedError, type NodeApi } from '@quetzal/protocol/node-api';
import { QuoteRejectedError } from './quote-book.js';

export function registerNodeRpc(server: JsonRpcServer, node: NodeApi): void {
  const refusal = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (e) {
      if (e instanceof TxRejectedError || e instanceof QuoteRejectedError) throw new RpcError(RpcErrorCode.ApplicationError, e.message);
      throw e;
    }
  };
  const handlers: RpcHandlers<typeof NodeApiSchema> = {
    sendTx: (tx) => refusal(node.sendTx(tx)),
    getTxByHash: async (h) => (await node.getTxByHash(h)) ?? null,
    getTxsByHash: async (hs) => (await node.getTxsByHash(hs)).map((t) => t ?? null),
    submitEpochProofQuote: async (q) => {
      await refusal(node.submitEpochProofQuote(q));
      return null;
    },
    getPendingTxCount: () => node.getPendingTxCount(),
  };
  server.register(NODE_RPC_NAMESPACE, NodeApiSchema, handlers);
}

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
