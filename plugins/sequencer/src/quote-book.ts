// Epoch proof quotes from provers (node_submitEpochProofQuote, or gossip), checked on arrival; the
// sequencer claims the best one for an epoch during its claim window.
import { checkClaimableQuote, QuoteRejectedError, type QuoteChainView, type SignedEpochProofQuote } from '@quetzal/protocol/quote';

export { QuoteRejectedError } from '@quetzal/protocol/quote';

/** Quotes kept per epoch: a flood of quotes from fresh keys costs bounded memory and time. */
export const MAX_QUOTES_PER_EPOCH = 1024;

/** Best first: lowest fee, then highest bond. */
function compareQuotes(a: SignedEpochProofQuote, b: SignedEpochProofQuote): number {
  return a.quote.basisPointFee - b.quote.basisPointFee || (b.quote.bondAmount > a.quote.bondAmount ? 1 : b.quote.bondAmount < a.quote.bondAmount ? -1 : 0);
}

export class QuoteBook {
  /** By epoch (the quote's uint256 epochToProve as a number), then by prover (lower case): one quote per prover. */
  private readonly quotes = new Map<number, Map<string, SignedEpochProofQuote>>();

  constructor(
    private readonly chain: QuoteChainView,
    private readonly maxPerEpoch = MAX_QUOTES_PER_EPOCH,
  ) {}

  /** Checks the quote (checkClaimableQuote: throws QuoteRejectedError with the reason) and keeps it. */
  async add(signed: SignedEpochProofQuote): Promise<void> {
    await checkClaimableQuote(signed, this.chain);
    if (!this.keep(signed)) {
      throw new QuoteRejectedError(`quote for epoch ${signed.quote.epochToProve} by ${signed.quote.prover} rejected: the sequencer already holds ${this.maxPerEpoch} better or equal quotes for this epoch`);
    }
  }

  /**
   * Keeps a quote already checked by checkClaimableQuote (gossip validated it); a prover's newer
   * quote replaces its older one. A full epoch makes room by dropping its worst quote when this one
   * is better; otherwise this one is not kept (false).
   */
  keep(signed: SignedEpochProofQuote): boolean {
    const prover = signed.quote.prover.toLowerCase();
    const epoch = Number(signed.quote.epochToProve);
    let book = this.quotes.get(epoch);
    if (!book) this.quotes.set(epoch, (book = new Map()));
    if (!book.has(prover) && book.size >= this.maxPerEpoch) {
      let worst: [string, SignedEpochProofQuote] | undefined;
      for (const entry of book) if (!worst || compareQuotes(entry[1], worst[1]) > 0) worst = entry;
      if (compareQuotes(signed, worst![1]) >= 0) return false;
      book.delete(worst![0]);
    }
    book.set(prover, signed);
    return true;
  }

  /** Usable quotes for `epoch` at `slot`, best first: lowest fee, then highest bond. */
  candidates(epoch: number, slot: bigint): SignedEpochProofQuote[] {
    return [...(this.quotes.get(epoch)?.values() ?? [])].filter((s) => s.quote.validUntilSlot >= slot).sort(compareQuotes);
  }

  remove(signed: SignedEpochProofQuote): void {
    const book = this.quotes.get(Number(signed.quote.epochToProve));
    const prover = signed.quote.prover.toLowerCase();
    if (book?.get(prover) === signed) book.delete(prover);
  }

  /** Forgets quotes of epochs before `epoch`. */
  pruneBefore(epoch: number): void {
    for (const e of this.quotes.keys()) if (e < epoch) this.quotes.delete(e);
  }

  count(epoch: number): number {
    return this.quotes.get(epoch)?.size ?? 0;
  }
}
