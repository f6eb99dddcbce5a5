// Pieces shared by the P2P end-to-end tests: flags, a sequencer node (A) on a 3 s-slot local network,
// a libp2p peer run by the test, txs the pool takes.
import { Registry } from 'prom-client';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { silentLogger } from '@quetzal/kernel/testing';
import { LibP2PService, P2PMetrics, DEFAULT_TX_REQUEST_LIMITS } from '@quetzal/p2p';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { devAccountSecret } from '@quetzal/protocol/genesis';
import type { QuoteChainView } from '@quetzal/protocol/quote';
import { buildTxCircuitInputs, Tx } from '@quetzal/protocol/tx';
import type { TxPool } from '@quetzal/protocol/tx-pool';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { waitFor } from './helpers.js';

export const P2P = ['--p2p.enabled', '--p2p.port', '0', '--p2p.listen-address', '127.0.0.1'];

/** (A): anvil, the contracts, a sequencer and an archiver, on P2P. */
export async function startSequencerNode(extra: string[] = []): Promise<{ cli: RunningCli; env: NodeJS.ProcessEnv }> {
  const env = isolatedEnv();
  const cli = await startCli(
    ['--local-network', '--port', '0', '--local-network.anvil-port', '0', '--local-network.slot-duration', '3', '--local-network.epoch-duration', '4',
      '--local-network.claim-window', '2', '--local-network.proof-submission-window', '24', '--sequencer', '--sequencer.min-seconds-left-in-slot', '1',
      '--archiver', '--archiver.polling-interval-ms', '200', ...P2P, ...extra],
    env,
    90_000,
  );
  return { cli, env };
}

/** A peer run by the test: it publishes what it is told and validates nothing of its own. */
export async function testPeer(bootstrap: string): Promise<LibP2PService> {
  const pool = { add: async () => {}, has: () => false, get: () => undefined } as unknown as TxPool;
  const chain = { currentSlot: async () => 0n } as unknown as QuoteChainView;
  const holder: { s?: LibP2PService } = {};
  const service = await LibP2PService.start({
    privateKey: await generateKeyPair('Ed25519'), listenAddress: '127.0.0.1', port: 0, bootstrapNodes: [bootstrap], maxPeers: 10,
    disconnectScore: -200, banMs: 60_000, txRequests: DEFAULT_TX_REQUEST_LIMITS, pool, quoteChain: chain,
    metrics: new P2PMetrics(new Registry(), { peers: () => holder.s?.peerCount() ?? 0, scores: () => new Map() }), logger: silentLogger(),
  });
  holder.s = service;
  await waitFor('the test peer to connect', async () => service.peerCount() > 0, 20_000);
  await new Promise((r) => setTimeout(r, 2000)); // a gossipsub heartbeat or two: into the mesh
  return service;
}

/** A tx the pool takes: a dev account with a genesis balance, its own nonce, the simulated proof. */
export const validTx = (nonce: bigint, transactionFee: bigint, account = 3) =>
  new Tx(buildTxCircuitInputs({ secret: devAccountSecret(account), nonce, chainId: 31337n, version: 1n, transactionFee }).effects, Array<bigint>(PROOF_LENGTH).fill(0n));
