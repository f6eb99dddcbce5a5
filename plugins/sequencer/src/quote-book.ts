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

export class QuoteBook {
  /** By epoch (the quote's uint256 epochToProve as a number). */
  private readonly quotes = new Map<number, SignedEpochProofQuote[]>();

  constructor(
    private readonly domain: QuoteDomainParams,
    private readonly minimumBond: bigint,
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
