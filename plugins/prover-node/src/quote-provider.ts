// What the prover asks for an epoch: a fixed fee and bond, or whatever an operator's HTTP endpoint
// answers (`GET <url>?epoch=N` -> {"basisPointFee": 100, "bondAmount": "1000"}; an empty answer
// or HTTP 204 means "do not bid on this epoch").
import { z } from 'zod';
import { MAX_BASIS_POINTS } from '@quetzal/protocol/constants';

export interface QuoteTerms {
  basisPointFee: number;
  bondAmount: bigint;
}

export interface QuoteProvider {
  /** The terms for `epoch`, or undefined to skip it. */
  getQuote(epoch: number, context: { blocks: number; txs: number }): Promise<QuoteTerms | undefined>;
}

export class FixedQuoteProvider implements QuoteProvider {
  constructor(private readonly terms: QuoteTerms) {
    validateTerms(terms, '--prover-node.quote.basis-point-fee / --prover-node.quote.bond-amount');
  }
  async getQuote(): Promise<QuoteTerms> {
    return this.terms;
  }
}

const TermsSchema = z.object({
  basisPointFee: z.number().int().min(0).max(MAX_BASIS_POINTS),
  bondAmount: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((v) => BigInt(v)),
});

export class HttpQuoteProvider implements QuoteProvider {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async getQuote(epoch: number, context: { blocks: number; txs: number }): Promise<QuoteTerms | undefined> {
    const u = new URL(this.url);
    u.searchParams.set('epoch', epoch.toString());
    u.searchParams.set('blocks', String(context.blocks));
    u.searchParams.set('txs', String(context.txs));
    const res = await fetch(u, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (res.status === 204) return undefined;
    if (!res.ok) throw new Error(`quote provider ${this.url} answered HTTP ${res.status} for epoch ${epoch}`);
    const text = await res.text();
    if (text.trim() === '' || text.trim() === 'null') return undefined;
    const parsed = TermsSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(`quote provider ${this.url} answered ${text.slice(0, 200)} for epoch ${epoch}; expected {"basisPointFee": 0..${MAX_BASIS_POINTS}, "bondAmount": "<integer>"}`);
    }
    return parsed.data;
  }
}

function validateTerms(t: QuoteTerms, source: string): void {
  if (!Number.isInteger(t.basisPointFee) || t.basisPointFee < 0 || t.basisPointFee > MAX_BASIS_POINTS) throw new RangeError(`${source}: basis point fee must be 0..${MAX_BASIS_POINTS}`);
  if (t.bondAmount < 0n) throw new RangeError(`${source}: bond amount must not be negative`);
}
