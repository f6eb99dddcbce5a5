// The node API over JSON-RPC (namespace `node`); its client is `createNodeClient` in @quetzal/protocol/node-api.
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
      if (e instanceof TxRejectedError) throw new RpcError(RpcErrorCode.ApplicationError, e.message, e.field ? { field: e.field } : undefined);
      if (e instanceof QuoteRejectedError) throw new RpcError(RpcErrorCode.ApplicationError, e.message);
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

export { createNodeClient } from '@quetzal/protocol/node-api';
