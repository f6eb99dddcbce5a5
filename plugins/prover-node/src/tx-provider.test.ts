import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import { silentLogger } from '@quetzal/kernel/testing';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { NODE_RPC_NAMESPACE, NodeApiSchema } from '@quetzal/protocol/node-api';
import { buildTxCircuitInputs, Tx } from '@quetzal/protocol/tx';
import { RpcTxProvider } from './tx-provider.js';

const txs = [1n, 2n, 3n, 4n].map((nonce) => new Tx(buildTxCircuitInputs({ secret: 5n, nonce, chainId: 1n, version: 1n, transactionFee: 0n }).effects, Array(PROOF_LENGTH).fill(0n)));

async function node(serve: (hashes: bigint[]) => Promise<(Tx | undefined)[]>): Promise<{ url: string; server: Server; calls: number }> {
  const state = { url: '', server: undefined as unknown as Server, calls: 0 };
  const rpc = new JsonRpcServer({ maxBodyBytes: 1 << 24, logger: silentLogger() });
  rpc.register(NODE_RPC_NAMESPACE, { getTxsByHash: NodeApiSchema.getTxsByHash }, { getTxsByHash: async (h: bigint[]) => (state.calls++, (await serve(h)).map((t) => t ?? null)) });
  state.server = createServer((req, res) => void rpc.handleHttp(req, res));
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

test('fetches txs across nodes: a down node, a node with some txs and a forged one, a slow node, retries', async () => {
  const byHash = new Map(txs.map((t) => [t.hash(), t]));
  const partial = await node(async (hs) => hs.map((h) => (h === txs[0]!.hash() ? byHash.get(h) : h === txs[1]!.hash() ? txs[2] : undefined)));
  const slow = await node(() => new Promise(() => {}));
  let rounds = 0;
  const late = await node(async (hs) => (rounds++ === 0 ? hs.map(() => undefined) : hs.map((h) => byHash.get(h))));
  try {
    const provider = new RpcTxProvider({ urls: ['http://127.0.0.1:9', partial.url, slow.url, late.url], timeoutMs: 200, retries: 2, retryDelayMs: 10 });
    const got = await provider.getTxsByHash(txs.map((t) => t.hash()));
    assert.deepEqual(got.map((t) => t?.hash()), txs.map((t) => t.hash()), 'all found, the forged answer for tx 1 ignored');
    assert.equal(late.calls, 2, 'a second round asked the late node for what was missing');
  } finally {
    for (const n of [partial, slow, late]) {
      n.server.closeAllConnections();
      n.server.close();
    }
  }
});

test('missing txs come back undefined after the retries; no URL is a clear error', async () => {
  const empty = await node(async (hs) => hs.map(() => undefined));
  try {
    const got = await new RpcTxProvider({ urls: [empty.url], retries: 1, retryDelayMs: 1 }).getTxsByHash([txs[0]!.hash()]);
    assert.deepEqual(got, [undefined]);
    assert.equal(empty.calls, 2);
  } finally {
    empty.server.close();
  }
  assert.throws(() => new RpcTxProvider({ urls: [] }), /--prover-node\.tx-provider-urls/);
});
