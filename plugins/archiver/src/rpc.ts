// The archiver over JSON-RPC (namespace `archiver`). Another process reads it through
// `createL2BlockSourceClient` (@quetzal/protocol/l2-block-source), e.g. with `--archiver.url`.
import type { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import type { RpcHandlers } from '@quetzal/kernel/jsonrpc/schema';
import {
  ARCHIVER_RPC_NAMESPACE, L2BlockSourceSchema, type L2BlockSource,
} from '@quetzal/protocol/l2-block-source';

export function registerArchiverRpc(server: JsonRpcServer, source: L2BlockSource): void {
  const handlers: RpcHandlers<typeof L2BlockSourceSchema> = {
    getBlockNumber: () => source.getBlockNumber(),
    getProvenBlockNumber: () => source.getProvenBlockNumber(),
    getBlock: async (n) => (await source.getBlock(n)) ?? null,
    getBlocks: (from, limit) => source.getBlocks(from, limit),
    getL1ToL2Messages: (n) => source.getL1ToL2Messages(n),
    getTips: () => source.getTips(),
    getBlocksForEpoch: (e) => source.getBlocksForEpoch(e),
    getTxHashesForEpoch: (e) => source.getTxHashesForEpoch(e),
    getRollupConstants: () => source.getRollupConstants(),
    getSyncedL1Block: () => source.getSyncedL1Block(),
    isEpochComplete: (e) => source.isEpochComplete(e),
    getEpochProofClaim: async (e) => (await source.getEpochProofClaim(e)) ?? null,
  };
  server.register(ARCHIVER_RPC_NAMESPACE, L2BlockSourceSchema, handlers);
}

export { createL2BlockSourceClient as createArchiverClient } from '@quetzal/protocol/l2-block-source';
