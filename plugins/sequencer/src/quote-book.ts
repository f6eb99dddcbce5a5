// Epoch proof quotes submitted by provers (node_submitEpochProofQuote), validated on arrival; the
// sequencer claims the best one for an epoch during its claim window.
import { getAddress } from 'viem';
import { recoverQuoteSigner, validateQuote, type QuoteDomainParams, type SignedEpochProofQuote } from '@quetzal/protocol/quote';

export class QuoteRejectedError extends Error {
  override name = 'QuoteRejectedError';
}

export interface QuoteTiming {
  currentSlot: bigint;
  currentEpoch: number;
}

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
    private readonly domain: QuoteDomainParams,
    private readonly minimumBond: bigint,
    private readonly maxPerEpoch = MAX_QUOTES_PER_EPOCH,
  ) {}

  /** Validates (signature, epoch, validity, fee and bond bounds) and keeps the quote; throws QuoteRejectedError with the reason. */
  async add(signed: SignedEpochProofQuote, t: QuoteTiming): Promise<void> {
    const q = signed.quote;
    const reject = (reason: string): never => {
      throw new QuoteRejectedError(`quote for epoch ${q.epochToProve} by ${q.prover} rejected: ${reason}`);
    };
    try {
      validateQuote(q);
    } catch (e) {
      reject((e as Error).message);
    }
    let signer: string;
    try {
      signer = await recoverQuoteSigner(signed, this.domain);
    } catch {
      return reject('the signature does not decode');
    }
    if (getAddress(signer) !== getAddress(q.prover)) reject(`signed by ${signer}, not by the prover it names (EIP-712 domain: chain ${this.domain.chainId}, rollup ${this.domain.rollup})`);
    const epoch = Number(q.epochToProve);
    if (epoch > t.currentEpoch || epoch + 1 < t.currentEpoch) {
      reject(`epoch ${q.epochToProve} is not claimable now (current epoch ${t.currentEpoch}: quotes are for the previous or the current epoch)`);
    }
    if (q.validUntilSlot < t.currentSlot) reject(`expired: validUntilSlot ${q.validUntilSlot} is before the current slot ${t.currentSlot}`);
    if (q.bondAmount < this.minimumBond) reject(`bondAmount ${q.bondAmount} is below the Rollup's minimum bond ${this.minimumBond}`);
    this.keep(signed, reject);
  }

  /**
   * Keeps a checked quote: a prover's newer quote replaces its older one. A full epoch makes room
   * by dropping its worst quote when this one is better; otherwise this one is refused.
   */
  private keep(signed: SignedEpochProofQuote, reject: (reason: string) => never): void {
    const epoch = Number(signed.quote.epochToProve);
    const prover = signed.quote.prover.toLowerCase();
    let book = this.quotes.get(epoch);
    if (!book) this.quotes.set(epoch, (book = new Map()));
    if (!book.has(prover) && book.size >= this.maxPerEpoch) {
      let worst: [string, SignedEpochProofQuote] | undefined;
      for (const entry of book) if (!worst || compareQuotes(entry[1], worst[1]) > 0) worst = entry;
      if (compareQuotes(signed, worst![1]) >= 0) reject(`the sequencer already holds ${this.maxPerEpoch} better or equal quotes for this epoch`);
      book.delete(worst![0]);
    }
    book.set(prover, signed);
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
