// Epoch proof quotes from provers (node_submitEpochProofQuote, or gossip), checked on arrival; the
// sequencer claims the best one for an epoch during its claim window.
import { getAddress } from 'viem';
import { checkClaimableQuote, type QuoteChainView, type SignedEpochProofQuote } from '@quetzal/protocol/quote';

export { QuoteRejectedError } from '@quetzal/protocol/quote';

export class QuoteBook {
  /** By epoch (the quote's uint256 epochToProve as a number). */
  private readonly quotes = new Map<number, SignedEpochProofQuote[]>();

  constructor(private readonly chain: QuoteChainView) {}

  /** Checks the quote (checkClaimableQuote: throws QuoteRejectedError with the reason) and keeps it. */
  async add(signed: SignedEpochProofQuote): Promise<void> {
    await checkClaimableQuote(signed, this.chain);
    this.keep(signed);
  }

  /** Keeps a quote already checked by checkClaimableQuote (gossip validated it); a prover's newer quote replaces its older one. */
  keep(signed: SignedEpochProofQuote): void {
    const q = signed.quote;
    const epoch = Number(q.epochToProve);
    const list = (this.quotes.get(epoch) ?? []).filter((x) => getAddress(x.quote.prover) !== getAddress(q.prover));
    list.push(signed);
    this.quotes.set(epoch, list);
  }

  /** Usable quotes for `epoch` at `slot`, best first: lowest fee, then highest bond. */
  candidates(epoch: number, slot: bigint): SignedEpochProofQuote[] {
    return (this.quotes.get(epoch) ?? [])
      .filter((s) => s.quote.validUntilSlot >= slot)
      .sort((a, b) => a.quote.basisPointFee - b.quote.basisPointFee || (b.quote.bondAmount > a.quote.bondAmount ? 1 : b.quote.bondAmount < a.quote.bondAmount ? -1 : 0));
  }

  remove(signed: SignedEpochProofQuote): void {
    const epoch = Number(signed.quote.epochToProve);
    const list = this.quotes.get(epoch);
    if (list) this.quotes.set(epoch, list.filter((x) => x !== signed));
  }

  /** Forgets quotes of epochs before `epoch`. */
  pruneBefore(epoch: number): void {
    for (const e of this.quotes.keys()) if (e < epoch) this.quotes.delete(e);
  }

  count(epoch: number): number {
    return this.quotes.get(epoch)?.length ?? 0;
  }
}
