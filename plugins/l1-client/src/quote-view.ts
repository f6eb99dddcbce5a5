// The chain state a quote is checked against (checkClaimableQuote), read from L1. Escrow deposits are
// cached briefly: a gossip flood of quotes from one prover costs one read per L1 block, not one each.
import type { Address } from 'viem';
import { getL1Contracts } from '@quetzal/l1';
import type { L1Connection } from '@quetzal/protocol/l1-connection';
import type { QuoteChainView } from '@quetzal/protocol/quote';

export function quoteChainView(l1: L1Connection, depositCacheMs = 1000): QuoteChainView {
  const escrow = getL1Contracts(l1.client, l1.deployment.addresses).escrow;
  const deposits = new Map<string, { at: number; value: Promise<bigint> }>();
  return {
    domain: { chainId: l1.chainId, rollup: l1.deployment.addresses.rollup },
    epochDuration: BigInt(l1.deployment.params.epochDuration),
    minimumBond: l1.deployment.params.minimumBond,
    currentSlot: () => l1.rollup.getCurrentSlot(),
    escrowDeposit(prover: Address) {
      const key = prover.toLowerCase();
      const cached = deposits.get(key);
      if (cached && Date.now() - cached.at < depositCacheMs) return cached.value;
      if (deposits.size > 10_000) deposits.clear();
      const value = escrow.read.deposits([prover]);
      deposits.set(key, { at: Date.now(), value });
      value.catch(() => deposits.delete(key));
      return value;
    },
  };
}
