// The doctor's prover-node checks: the remote broker and its agents, and the publisher's funds:
// ETH for proof transactions, bond tokens for the quotes it signs.
import { formatEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { fail, pass, warn, CheckPrerequisiteError, type CheckContext, type DoctorCheck } from '@quetzal/kernel/doctor';
import { proofCommitmentEscrowAbi, quetzalTokenAbi, resolveL1Key } from '@quetzal/l1';
import { remoteBrokerChecks } from '@quetzal/prover-broker';
import type { L1Connection } from '@quetzal/protocol/l1-connection';
import { Tokens } from '@quetzal/protocol/tokens';
import { publisherKeySource } from './plugin.js';

/** Gas of one submitEpochRootProof with a generous margin (about 1.0M with the optimized verifier, 4.4M with the standard one). */
export const PROOF_TX_GAS = 5_000_000n;
/** Proof transactions the publisher's balance should cover before the doctor warns. */
export const PROOF_TXS_WARN = 10n;

interface Config {
  publisherPrivateKey?: string;
  publisherPrivateKeyFile?: string;
  brokerUrl?: string[];
  brokerAuthToken?: string;
  'quote.providerUrl'?: string;
  'quote.bondAmount': bigint;
}

export function proverNodeChecks(ctx: CheckContext<Config>): DoctorCheck[] {
  const c = ctx.config;
  const publisher = async (l1: L1Connection) => {
    try {
      return privateKeyToAccount(resolveL1Key(publisherKeySource(c, l1.chainId)).key).address;
    } catch (err) {
      throw new CheckPrerequisiteError((err as Error).message, 'pass --prover-node.publisher-private-key-file FILE (or the key flag)');
    }
  };
  return [
    ...remoteBrokerChecks(c.brokerUrl, c.brokerAuthToken, '--prover-node.broker-auth-token', { agents: true }),
    {
      name: 'publisher-funds',
      run: async () => {
        const l1 = await ctx.resolve(Tokens.L1);
        const address = await publisher(l1);
        const [balance, gasPrice] = await Promise.all([l1.client.getBalance({ address }), l1.client.getGasPrice()]);
        const perProof = PROOF_TX_GAS * gasPrice;
        const shown = `publisher ${address} holds ${formatEther(balance)} ETH; a proof costs up to ${formatEther(perProof)} ETH at ${gasPrice} wei/gas`;
        const fix = `send ETH to ${address}`;
        if (balance < perProof) return fail(shown, fix);
        if (balance < perProof * PROOF_TXS_WARN) return warn(shown, `${fix}: it covers fewer than ${PROOF_TXS_WARN} proofs`);
        return pass(shown);
      },
    },
    {
      name: 'bond',
      run: async () => {
        const l1 = await ctx.resolve(Tokens.L1);
        const address = await publisher(l1);
        const { escrow, token } = l1.deployment.addresses;
        const [deposit, tokens] = await Promise.all([
          l1.client.readContract({ address: escrow, abi: proofCommitmentEscrowAbi, functionName: 'deposits', args: [address] }),
          l1.client.readContract({ address: token, abi: quetzalTokenAbi, functionName: 'balanceOf', args: [address] }),
        ]);
        const { minimumBond: minimum } = await l1.rollup.getConfig();
        const bond = c['quote.providerUrl'] ? minimum : c['quote.bondAmount'];
        const shown = `escrow deposit ${deposit}, ${tokens} more bond tokens held; a quote stakes ${bond}${c['quote.providerUrl'] ? ' or more (quote provider)' : ''}, the Rollup's minimum is ${minimum}`;
        if (bond < minimum) return fail(shown, `raise --prover-node.quote.bond-amount to at least ${minimum}: the Rollup refuses smaller bonds`);
        if (deposit + tokens < bond) return fail(shown, `send bond tokens (${token}) to ${address}: without a funded bond no quote can be claimed`);
        if (deposit < bond) return warn(shown, 'the node tops the deposit up from its tokens on its next bid; nothing to do unless that fails');
        return pass(shown);
      },
    },
  ];
}
