// Builds the L1Connection every role resolves through `Tokens.L1`.
import { createPublicClient, fallback, http, type Hex, type PublicClient } from 'viem';
import { ANVIL_CHAIN_ID, L1TxSender, RollupContract, type L1Deployment, type L1Logger } from '@quetzal/l1';
import type { L1Connection } from '@quetzal/protocol/l1-connection';
import type { L2Genesis } from '@quetzal/protocol/genesis';


export interface L1ConnectionOptions {
  rpcUrls: string[];
  deployment: L1Deployment;
  genesis: L2Genesis;
  /** Polling interval of viem and of the tx senders' receipt waits. */
  pollingIntervalMs?: number;
  logger?: L1Logger;
}

export function createL1Client(rpcUrls: string[], pollingIntervalMs = 250): PublicClient {
  const transport = rpcUrls.length === 1 ? http(rpcUrls[0]) : fallback(rpcUrls.map((u) => http(u)));
  return createPublicClient({ transport, cacheTime: 0, pollingInterval: pollingIntervalMs }) as PublicClient;
}

/** Connects and checks that the chain is the one the deployment was made on and that the Rollup is there. */
export async function createL1Connection(o: L1ConnectionOptions): Promise<L1Connection> {
  const client = createL1Client(o.rpcUrls, o.pollingIntervalMs);
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (e) {
    // no cause: the transport error repeats the RPC URL, which may carry a provider API key
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`L1 at ${o.rpcUrls.join(', ')} does not answer (check --l1.rpc-urls): ${(e as Error).message.split('\n')[0]}`);
  }
  if (chainId !== o.deployment.chainId) {
    throw new Error(`L1 at ${o.rpcUrls[0]} is chain ${chainId} but the deployment file is for chain ${o.deployment.chainId} (check --l1.rpc-urls and --l1.deployment)`);
  }
  const code = await client.getCode({ address: o.deployment.addresses.rollup });
  if (!code || code === '0x') throw new Error(`no Rollup contract at ${o.deployment.addresses.rollup} on chain ${chainId} (is --l1.deployment from this L1?)`);
  const senders = new Map<string, L1TxSender>();
  return {
    rpcUrls: o.rpcUrls,
    chainId,
    client,
    deployment: o.deployment,
    rollup: new RollupContract(client, o.deployment.addresses.rollup),
    genesis: o.genesis,
    isDevChain: chainId === ANVIL_CHAIN_ID,
    sender(privateKey: Hex) {
      const key = privateKey.toLowerCase();
      let s = senders.get(key);
      if (!s) {
        s = new L1TxSender({ publicClient: client, privateKey, pollIntervalMs: o.pollingIntervalMs ?? 250, stuckTimeoutMs: 30_000, logger: o.logger });
        senders.set(key, s);
      }
      return s;
    },
  };
}
