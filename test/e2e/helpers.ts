// Shared pieces of the prover end-to-end tests: local network flags with windows a simulated epoch
// proof fits in, clients of a started process, polling.
import { join } from 'node:path';
import { createPublicClient, http } from 'viem';
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { readDeploymentFile, RollupContract } from '@quetzal/l1';
import { PROVER_NODE_RPC_NAMESPACE, ProverNodeApiSchema } from '@quetzal/protocol/prover-node-api';
import type { RunningCli } from '../helpers/cli.js';

/**
 * The local network with its sequencer and archiver: 3 s slots, 4-slot epochs, claims in the first 2
 * slots, proofs due 24 slots into the next epoch (a loaded 2-core machine, restarts).
 */
export const SEQUENCER_NETWORK_FLAGS = [
  '--local-network', '--port', '0', '--local-network.anvil-port', '0', '--local-network.slot-duration', '3', '--local-network.epoch-duration', '4',
  '--local-network.claim-window', '2', '--local-network.proof-submission-window', '24',
  '--sequencer', '--sequencer.min-seconds-left-in-slot', '1',
  '--archiver', '--archiver.polling-interval-ms', '200',
];

/** The same with the bot sending txs and L1->L2 messages. */
export const NETWORK_FLAGS = [...SEQUENCER_NETWORK_FLAGS, '--bot', '--bot.tx-interval-ms', '700', '--bot.message-interval-ms', '1500'];

export const PROVER_FLAGS = ['--prover-node', '--prover-node.polling-interval-ms', '300'];

export function proverNodeClient(port: number) {
  return createJsonRpcClient(`http://127.0.0.1:${port}`, PROVER_NODE_RPC_NAMESPACE, ProverNodeApiSchema, { timeoutMs: 5000 });
}

/** The local network's L1 URL (from its banner) and files for another process to join it. */
export function localNetworkInfo(cli: RunningCli, dataDirectory: string) {
  const banner = /L1 \(anvil\)\s+(http:\/\/\S+)/.exec(cli.logs());
  if (!banner) throw new Error('the local network printed no L1 URL');
  const dir = join(dataDirectory, 'local-network');
  const deploymentFile = join(dir, 'l1-deployment.json');
  const deployment = readDeploymentFile(deploymentFile);
  const rollup = new RollupContract(createPublicClient({ transport: http(banner[1]), cacheTime: 0 }), deployment.addresses.rollup);
  return { l1Url: banner[1]!, deploymentFile, genesisFile: join(dir, 'genesis.json'), rollup };
}

/** Flags of a prover node in another process that joins the network `cli` runs (its L1, archiver and node). */
export function proverJoinFlags(cli: RunningCli, dataDirectory: string): string[] {
  const { l1Url, deploymentFile, genesisFile } = localNetworkInfo(cli, dataDirectory);
  const url = `http://127.0.0.1:${cli.port}`;
  return ['--l1.rpc-urls', l1Url, '--l1.deployment', deploymentFile, '--l1-client.genesis-file', genesisFile, '--archiver.url', url, '--prover-node.node-url', url];
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, logs?: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${logs ? `\n${logs().slice(-5000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** A metric's value for exactly these labels (`topic="/quetzal/tx/1",result="accepted"`), 0 when absent. */
export async function labelledMetric(port: number, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name}\\{${labels.replace(/[/.]/g, '\\$&')}\\} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** The P2P multiaddr a started process logged ("p2p started"). */
export function p2pMultiaddr(cli: RunningCli): string {
  const line = cli.logs().split('\n').find((l) => l.includes('"msg":"p2p started"'));
  const addr = line && (JSON.parse(line) as { multiaddrs: string[] }).multiaddrs[0];
  if (!addr) throw new Error('the process logged no p2p multiaddr');
  return addr;
}
