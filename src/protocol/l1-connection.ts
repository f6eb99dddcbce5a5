// What every role that reads or writes L1 gets (token `Tokens.L1`): clients, the deployment and a
// tx sender per key. Provided by the local network (anvil it started and contracts it deployed) or
// by the l1-client plugin (`--l1.rpc-urls`, `--l1.deployment`).
import type { Hex, PublicClient } from 'viem';
import type { L1Deployment, L1TxSender, RollupContract } from '@quetzal/l1';
import type { L2Genesis } from './genesis.js';

export interface L1Connection {
  rpcUrls: string[];
  chainId: number;
  /** viem public client (cacheTime 0: anvil's state changes under it). */
  client: PublicClient;
  deployment: L1Deployment;
  rollup: RollupContract;
  /** The L2 genesis whose archive root the Rollup was deployed with. */
  genesis: L2Genesis;
  /**
   * The tx sender of `privateKey`: one per key in the process, so two roles sharing a key share its
   * nonce tracking.
   */
  sender(privateKey: Hex): L1TxSender;
  /** anvil's dev keys may be used as defaults (chain 31337 only). */
  readonly isDevChain: boolean;
}
