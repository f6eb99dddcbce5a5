import { readFileSync } from 'node:fs';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { readDeploymentFile } from '@quetzal/l1';
import { devGenesis, genesisFromJson, type L2Genesis } from '@quetzal/protocol/genesis';
import { Tokens } from '@quetzal/protocol/tokens';
import { createL1Connection } from './connection.js';
import { l1Checks } from './checks.js';

/** Reads a genesis file ({"publicData": [{"slot", "value"}]}), or the dev genesis when none is given. */
export function loadGenesis(path: string | undefined): L2Genesis {
  if (!path) return devGenesis();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read --l1-client.genesis-file ${path}: ${(e as Error).message}`, { cause: e });
  }
  return genesisFromJson(JSON.parse(text), path);
}

/**
 * The L1 connection of a process that joins an existing network: `--l1.rpc-urls` and
 * `--l1.deployment` (the local network provides the same token itself).
 */
export const l1ClientPlugin = definePlugin({
  name: 'l1-client',
  description: 'Connects to L1 (--l1.rpc-urls) and the deployed contracts (--l1.deployment) for every role',
  options: {
    genesisFile: option.string({ description: 'L2 genesis ({"publicData": [{"slot", "value"}]}) the Rollup was deployed with; default: the local network\'s dev genesis', env: 'L1_CLIENT_GENESIS_FILE' }),
    pollingIntervalMs: option.int({ description: 'Polling interval of L1 clients and receipt waits', env: 'L1_CLIENT_POLLING_INTERVAL_MS', default: 250, min: 10 }),
  },
  provides: [Tokens.L1],
  reads: ['l1'],
  checks: (ctx) => {
    const l1 = ctx.configOf('l1');
    return l1Checks(ctx, { rpcUrls: l1.rpcUrls, chainId: l1.chainId, deploymentFile: l1.deployment, deploymentFlag: '--l1.deployment', genesisFile: ctx.config.genesisFile });
  },
  async start(ctx) {
    const l1 = ctx.configOf('l1');
    if (!l1.rpcUrls?.length) throw new Error('no L1 RPC URL: pass --l1.rpc-urls (or L1_RPC_URLS), or start a local L1 with --local-network');
    if (!l1.deployment) throw new Error('no L1 deployment file: pass --l1.deployment FILE (written by `quetzal l1 deploy`), or start a local L1 with --local-network');
    const deployment = readDeploymentFile(l1.deployment);
    if (deployment.chainId !== l1.chainId) {
      throw new Error(`--l1.chain-id is ${l1.chainId} but ${l1.deployment} is a deployment on chain ${deployment.chainId}`);
    }
    const connection = await createL1Connection({
      rpcUrls: l1.rpcUrls,
      deployment,
      genesis: loadGenesis(ctx.config.genesisFile),
      pollingIntervalMs: ctx.config.pollingIntervalMs,
      logger: ctx.loggerFor('l1'),
    });
    ctx.provide(Tokens.L1, connection);
    ctx.logger.info({ rpcUrl: l1.rpcUrls[0], chainId: connection.chainId, rollup: deployment.addresses.rollup }, 'connected to L1');
  },
});
