// The doctor's L1 checks, shared by the two providers of the L1 connection (the l1-client plugin
// and the local network): they also offer the connection to the other plugins' checks.
import type { PublicClient } from 'viem';
import { readDeploymentFile, type L1Deployment } from '@quetzal/l1';
import { fail, pass, warn, CheckPrerequisiteError, type CheckContext, type DoctorCheck } from '@quetzal/kernel/doctor';
import type { L1Connection } from '@quetzal/protocol/l1-connection';
import { Tokens } from '@quetzal/protocol/tokens';
import { createL1Client, createL1Connection } from './connection.js';
import { loadGenesis } from './plugin.js';

export interface L1Target {
  rpcUrls: string[] | undefined;
  chainId: number;
  /** The deployment file, and the flag that names it (for fixes). */
  deploymentFile: string | undefined;
  deploymentFlag: string;
  genesisFile?: string;
}

/** Clock skew between this machine and the L1 head's timestamp above which slots are misjudged. */
export const CLOCK_SKEW_WARN_S = 30;
export const CLOCK_SKEW_FAIL_S = 120;

export function l1Checks(ctx: CheckContext, target: L1Target): DoctorCheck[] {
  const urls = () => {
    if (!target.rpcUrls?.length) throw new CheckPrerequisiteError('no L1 RPC URL', 'pass --l1.rpc-urls (or L1_RPC_URLS)');
    return target.rpcUrls;
  };
  /** An L1 read; an L1 that does not answer fails the check with the fix, not viem's request dump. */
  const read = async <T>(fn: (client: PublicClient) => Promise<T>): Promise<T> => {
    const client = createL1Client(urls(), 250);
    try {
      return await fn(client);
    } catch (err) {
      throw new CheckPrerequisiteError(`L1 at ${urls()[0]} does not answer: ${(err as Error).message.split('\n')[0]}`, 'start the L1 node or fix --l1.rpc-urls');
    }
  };
  const deployment = (): L1Deployment => {
    if (!target.deploymentFile) throw new CheckPrerequisiteError('no L1 deployment file', `pass ${target.deploymentFlag} FILE (written by \`quetzal l1 deploy\`)`);
    try {
      return readDeploymentFile(target.deploymentFile);
    } catch (err) {
      throw new CheckPrerequisiteError(`cannot use ${target.deploymentFile}: ${(err as Error).message}`, `pass the network's deployment file with ${target.deploymentFlag}`);
    }
  };
  ctx.provide<L1Connection>(Tokens.L1, () => createL1Connection({ rpcUrls: urls(), deployment: deployment(), genesis: loadGenesis(target.genesisFile) }));
  return [
    {
      name: 'l1-rpc',
      run: async () => {
        const head = await read((c) => c.getBlockNumber());
        return pass(`L1 at ${urls()[0]} answers, head block ${head}`);
      },
    },
    {
      name: 'l1-chain-id',
      run: async () => {
        const actual = await read((c) => c.getChainId());
        const d = deployment();
        if (actual !== target.chainId) return fail(`L1 is chain ${actual}, --l1.chain-id says ${target.chainId}`, 'point --l1.rpc-urls at the right network, or fix --l1.chain-id');
        if (actual !== d.chainId) return fail(`L1 is chain ${actual}, the deployment file is for chain ${d.chainId}`, `pass the deployment file of chain ${actual} (${target.deploymentFlag})`);
        return pass(`chain ${actual}, as configured and deployed`);
      },
    },
    {
      name: 'l1-contracts',
      run: async () => {
        const d = deployment();
        const missing: string[] = [];
        for (const [name, address] of Object.entries(d.addresses)) {
          const code = await read((c) => c.getCode({ address }));
          if (!code || code === '0x') missing.push(`${name} ${address}`);
        }
        if (missing.length) return fail(`no contract code at ${missing.join(', ')}`, `the deployment file does not match this L1 (a restarted anvil?): redeploy, or pass the right ${target.deploymentFlag}`);
        return pass(`code at all ${Object.keys(d.addresses).length} addresses of the deployment (rollup ${d.addresses.rollup})`);
      },
    },
    {
      name: 'clock-skew',
      run: async () => {
        const block = await read((c) => c.getBlock());
        const skew = Math.round(Date.now() / 1000 - Number(block.timestamp));
        const shown = `this clock is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} the L1 head's timestamp (block ${block.number})`;
        const fix = 'sync the clock (NTP), or check that L1 is not stalled';
        if (Math.abs(skew) > CLOCK_SKEW_FAIL_S) return fail(shown, fix);
        if (Math.abs(skew) > CLOCK_SKEW_WARN_S) return warn(shown, fix);
        return pass(shown);
      },
    },
  ];
}
