// Epoch proof quotes from provers (node_submitEpochProofQuote, or gossip), checked on arrival; the
// sequencer claims the best one for an epoch during its claim window.
import { getAddress } from 'viem';
import { checkClaimableQuote, type QuoteChainView, type SignedEpochProofQuote } from '@quetzal/protocol/quote';

export { QuoteRejectedError } from '@quetzal/protocol/quote';

export class QuoteBook {
  private readonly quotes = new Map<bigint, SignedEpochProofQuote[]>();

  constructor(private readonly chain: QuoteChainView) {}

  /** Checks the quote (checkClaimableQuote: throws QuoteRejectedError with the reason) and keeps it. */
  async add(signed: SignedEpochProofQuote): Promise<void> {
    await checkClaimableQuote(signed, this.chain);
    this.keep(signed);
  }

  /** Keeps a quote already checked by checkClaimableQuote (gossip validated it); a prover's newer quote replaces its older one. */
  keep(signed: SignedEpochProofQuote): void {
    const q = signed.quote;
    const list = (this.quotes.get(q.epochToProve) ?? []).filter((x) => getAddress(x.quote.prover) !== getAddress(q.prover));
    list.push(signed);
    this.quotes.set(q.epochToProve, list);
  }

  /** Usable quotes for `epoch` at `slot`, best first: lowest fee, then highest bond. */
  candidates(epoch: bigint, slot: bigint): SignedEpochProofQuote[] {
    return (this.quotes.get(epoch) ?? [])
      .filter((s) => s.quote.validUntilSlot >= slot)
      .sort((a, b) => a.quote.basisPointFee - b.quote.basisPointFee || (b.quote.bondAmount > a.quote.bondAmount ? 1 : b.quote.bondAmount < a.quote.bondAmount ? -1 : 0));
  }

  remove(signed: SignedEpochProofQuote): void {
    const list = this.quotes.get(signed.quote.epochToProve);
    if (list) this.quotes.set(signed.quote.epochToProve, list.filter((x) => x !== signed));
  }

  /** Forgets quotes of epochs before `epoch`. */
  pruneBefore(epoch: bigint): void {
    for (const e of this.quotes.keys()) if (e < epoch) this.quotes.delete(e);
  }

  count(epoch: bigint): number {
    return this.quotes.get(epoch)?.length ?? 0;
  }
}
