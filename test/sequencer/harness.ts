// A sequencer against anvil with its archiver, LMDB world state and pool, served over JSON-RPC on a
// free port: the set-up of the sequencer suites, under simulated or real client proofs.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import { Archiver, ArchiverStore } from '@quetzal/archiver';
import { createL1Connection } from '@quetzal/l1-client';
import { genesisArchiveRoot } from '@quetzal/local-network';
import { createNodeClient, registerNodeRpc, Sequencer, TxPool, type SequencerMetrics } from '@quetzal/sequencer';
import { LmdbWorldState, ServerWorldStateSynchronizer } from '@quetzal/world-state';
import type { L2Genesis } from '@quetzal/protocol/genesis';
import type { NodeApi } from '@quetzal/protocol/node-api';
import type { TxProofVerifier } from '@quetzal/protocol/tx-proof-verifier';
import { accounts, KEYS, setup, type Env } from '../l1/harness.js';

export const CHAIN_ID = 31337n;

export interface SequencerHarness {
  env: Env;
  sequencer: Sequencer;
  archiver: Archiver;
  sync: ServerWorldStateSynchronizer;
  pool: TxPool;
  /** A node client of the sequencer's JSON-RPC server. */
  remote: NodeApi;
  url: string;
  close(): Promise<void>;
}

export async function startSequencer(opts: { genesis: L2Genesis; vkTreeRoot: bigint; proofs: TxProofVerifier; metrics?: SequencerMetrics }): Promise<SequencerHarness> {
  const log = pino({ level: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'qz-sequencer-'));
  const env = await setup({ genesisArchiveRoot: await genesisArchiveRoot(opts.genesis, CHAIN_ID, 1n), vkTreeRoot: opts.vkTreeRoot });
  const l1 = await createL1Connection({ rpcUrls: [env.anvil.url], deployment: env.deployment, genesis: opts.genesis, pollingIntervalMs: 20 });
  const store = new ArchiverStore(join(dir, 'archiver'));
  const archiver = new Archiver(env.client, env.deployment, store, { batchSize: 100, pollingIntervalMs: 50 }, log);
  const ws = await LmdbWorldState.open(join(dir, 'ws'), { genesis: { publicData: opts.genesis.publicData, chainId: CHAIN_ID, version: 1n } });
  const sync = new ServerWorldStateSynchronizer(ws, archiver);
  const pool = new TxPool(join(dir, 'pool'), { validation: { chainId: CHAIN_ID, version: 1n, state: () => sync.getCommitted(), proofs: opts.proofs } });
  const sequencer = new Sequencer(l1, l1.sender(KEYS[1]!), archiver, sync, pool,
    { coinbase: accounts[5]!.address, maxTxsPerBlock: 8, pollingIntervalMs: 50, minSecondsLeftInSlot: 0 }, log, opts.metrics);
  const rpc = new JsonRpcServer({ maxBodyBytes: 1 << 20, logger: log });
  registerNodeRpc(rpc, sequencer);
  const server = createServer((req, res) => void rpc.handleHttp(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env, sequencer, archiver, sync, pool, url,
    remote: createNodeClient(url),
    async close() {
      await sequencer.stop();
      for (const c of [() => new Promise((r) => server.close(r)), () => store.close(), () => pool.close(), () => ws.close(), () => env.stop()]) await c().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
