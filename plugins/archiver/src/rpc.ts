// The archiver over JSON-RPC (namespace `archiver`), and the client another process uses as its
// L2BlockSource (`--archiver.url`).
import { createJsonRpcClient, type JsonRpcClientOptions } from '@quetzal/kernel/jsonrpc/client';
import type { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import type { RpcHandlers } from '@quetzal/kernel/jsonrpc/schema';
import type { L2Block } from '@quetzal/protocol/block/l2-block';
import {
  ARCHIVER_RPC_NAMESPACE, L2BlockSourceSchema, type EpochClaimRecord, type L2BlockSource,
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

/** A remote archiver as an L2BlockSource. Every method is a read, so transport failures are retried. */
export function createArchiverClient(url: string, options: JsonRpcClientOptions = {}): L2BlockSource {
  const rpc = createJsonRpcClient(url, ARCHIVER_RPC_NAMESPACE, L2BlockSourceSchema, { timeoutMs: 30_000, retries: 2, ...options });
  return {
    getBlockNumber: () => rpc.getBlockNumber(),
    getProvenBlockNumber: () => rpc.getProvenBlockNumber(),
    getBlock: async (n): Promise<L2Block | undefined> => (await rpc.getBlock(n)) ?? undefined,
    getBlocks: (from, limit) => rpc.getBlocks(from, limit),
    getL1ToL2Messages: (n) => rpc.getL1ToL2Messages(n),
    getTips: () => rpc.getTips(),
    getBlocksForEpoch: (e) => rpc.getBlocksForEpoch(e),
    getTxHashesForEpoch: (e) => rpc.getTxHashesForEpoch(e),
    getRollupConstants: () => rpc.getRollupConstants(),
    getSyncedL1Block: () => rpc.getSyncedL1Block(),
    isEpochComplete: (e) => rpc.isEpochComplete(e),
    getEpochProofClaim: async (e): Promise<EpochClaimRecord | undefined> => (await rpc.getEpochProofClaim(e)) ?? undefined,
  };
}
