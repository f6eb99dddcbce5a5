// A TxProvider over one or more nodes' JSON-RPC (`node_getTxsByHash`): asks each node in turn for
// the txs still missing, retries rounds with backoff, and keeps only txs whose hash is the one
// asked for (a node cannot hand us a different tx).
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { NODE_RPC_NAMESPACE, NodeApiSchema } from '@quetzal/protocol/node-api';
import type { Tx } from '@quetzal/protocol/tx';
import type { TxProvider } from '@quetzal/protocol/tx-provider';

const TX_SOURCE_SCHEMA = { getTxsByHash: NodeApiSchema.getTxsByHash };
/** Hashes per request (the schema allows 10 000; smaller requests fail and retry cheaper). */
const CHUNK = 500;

export interface RpcTxProviderOptions {
  urls: readonly string[];
  /** Time allowed for one request (default 10 s). */
  timeoutMs?: number;
  /** Further rounds over all nodes while txs are missing (default 3). */
  retries?: number;
  /** Delay before the first retry round; doubles each round (default 500 ms). */
  retryDelayMs?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export class RpcTxProvider implements TxProvider {
  private readonly nodes;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(private readonly o: RpcTxProviderOptions) {
    if (o.urls.length === 0) throw new Error('no tx provider URL: pass --prover-node.tx-provider-urls http://node:port[,...]');
    this.nodes = o.urls.map((url) => ({ url, api: createJsonRpcClient(url, NODE_RPC_NAMESPACE, TX_SOURCE_SCHEMA, { timeoutMs: o.timeoutMs ?? 10_000, retries: 0 }) }));
    this.retries = o.retries ?? 3;
    this.retryDelayMs = o.retryDelayMs ?? 500;
  }

  async getTxsByHash(hashes: readonly bigint[], options: { signal?: AbortSignal } = {}): Promise<(Tx | undefined)[]> {
    const found = new Map<bigint, Tx>();
    for (let round = 0; round <= this.retries; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, this.retryDelayMs * 2 ** (round - 1)));
      for (const node of this.nodes) {
        const missing = [...new Set(hashes.filter((h) => !found.has(h)))];
        for (let i = 0; i < missing.length; i += CHUNK) {
          options.signal?.throwIfAborted();
          const chunk = missing.slice(i, i + CHUNK);
          try {
            const txs = await node.api.getTxsByHash(chunk);
            txs.forEach((tx, j) => {
              if (tx && tx.hash() === chunk[j]) found.set(chunk[j]!, tx);
              else if (tx) this.o.logger?.warn({ node: node.url, asked: `0x${chunk[j]!.toString(16)}` }, 'node returned a tx with another hash; ignored');
            });
          } catch (err) {
            this.o.logger?.warn({ node: node.url, err: (err as Error).message }, 'tx provider node failed');
          }
        }
      }
      if (hashes.every((h) => found.has(h))) break;
    }
    return hashes.map((h) => found.get(h));
  }

  describe(): string {
    return this.o.urls.join(', ');
  }
}
