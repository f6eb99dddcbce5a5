// EpochProofQuote: a prover's signed bid to prove an epoch (SPEC.md "EpochProofQuote (EIP-712)").
import { nextTurn } from '@quetzal/kernel/turns';
import { getAddress, hashTypedData, recoverTypedDataAddress, type Address, type Hex, type TypedDataDefinition } from 'viem';
import { MAX_BASIS_POINTS } from './constants.js';

export interface EpochProofQuote {
  epochToProve: bigint;
  /** Last L2 slot in which the quote may be used for a claim. */
  validUntilSlot: bigint;
  /** Bond (ERC20 units) staked from the prover's escrow deposit when the quote is claimed. */
  bondAmount: bigint;
  prover: Address;
  /** Share of each block's reward that goes to the prover, in basis points (<= 10000). */
  basisPointFee: number;
}

export interface SignedEpochProofQuote {
  quote: EpochProofQuote;
  signature: Hex;
}

export const EIP712_DOMAIN_NAME = 'Quetzal Rollup';
export const EIP712_DOMAIN_VERSION = '1';

export const EPOCH_PROOF_QUOTE_TYPES = {
  EpochProofQuote: [
    { name: 'epochToProve', type: 'uint256' },
    { name: 'validUntilSlot', type: 'uint256' },
    { name: 'bondAmount', type: 'uint256' },
    { name: 'prover', type: 'address' },
    { name: 'basisPointFee', type: 'uint32' },
  ],
} as const;

export interface QuoteDomainParams {
  chainId: number | bigint;
  rollup: Address;
}

export function quoteDomain(p: QuoteDomainParams) {
  return { name: EIP712_DOMAIN_NAME, version: EIP712_DOMAIN_VERSION, chainId: BigInt(p.chainId), verifyingContract: getAddress(p.rollup) } as const;
}

/** The EIP-712 typed data of a quote, ready for viem's signTypedData / hashTypedData. */
export function epochProofQuoteTypedData(
  quote: EpochProofQuote,
  p: QuoteDomainParams,
): TypedDataDefinition<typeof EPOCH_PROOF_QUOTE_TYPES, 'EpochProofQuote'> {
  return {
    domain: quoteDomain(p),
    types: EPOCH_PROOF_QUOTE_TYPES,
    primaryType: 'EpochProofQuote',
    message: { ...quote, prover: getAddress(quote.prover) },
  };
}

/** The EIP-712 digest the prover signs (the Rollup's `quoteDigest` returns the same). */
export function epochProofQuoteDigest(quote: EpochProofQuote, p: QuoteDomainParams): Hex {
  return hashTypedData(epochProofQuoteTypedData(quote, p));
}

/** Something that can sign typed data: a viem LocalAccount or a WalletClient-bound signer. */
export interface TypedDataSigner {
  address: Address;
  signTypedData: (args: ReturnType<typeof epochProofQuoteTypedData>) => Promise<Hex>;
}

export async function signEpochProofQuote(signer: TypedDataSigner, quote: EpochProofQuote, p: QuoteDomainParams): Promise<SignedEpochProofQuote> {
  if (getAddress(signer.address) !== getAddress(quote.prover)) throw new Error(`quote names prover ${quote.prover} but the signer is ${signer.address}`);
  validateQuote(quote);
  return { quote, signature: await signer.signTypedData(epochProofQuoteTypedData(quote, p)) };
}

export async function recoverQuoteSigner(signed: SignedEpochProofQuote, p: QuoteDomainParams): Promise<Address> {
  return recoverTypedDataAddress({ ...epochProofQuoteTypedData(signed.quote, p), signature: signed.signature });
}

/** Off-chain sanity checks the Rollup makes too (fee range, non-negative amounts). */
export function validateQuote(q: EpochProofQuote): void {
  if (!Number.isInteger(q.basisPointFee) || q.basisPointFee < 0 || q.basisPointFee > 0xffffffff) throw new RangeError(`basisPointFee ${q.basisPointFee} is not a uint32`);
  if (q.basisPointFee > MAX_BASIS_POINTS) throw new RangeError(`basisPointFee ${q.basisPointFee} exceeds ${MAX_BASIS_POINTS}`);
  if (q.epochToProve < 0n || q.validUntilSlot < 0n || q.bondAmount < 0n) throw new RangeError('negative quote amount');
}

/** JSON form (bigints as decimal strings) for JSON-RPC and gossip. */
export interface EpochProofQuoteJson {
  quote: { epochToProve: string; validUntilSlot: string; bondAmount: string; prover: Address; basisPointFee: number };
  signature: Hex;
}

export function signedQuoteToJson(s: SignedEpochProofQuote): EpochProofQuoteJson {
  const q = s.quote;
  return {
    quote: { epochToProve: q.epochToProve.toString(), validUntilSlot: q.validUntilSlot.toString(), bondAmount: q.bondAmount.toString(), prover: q.prover, basisPointFee: q.basisPointFee },
    signature: s.signature,
  };
}

export function signedQuoteFromJson(j: EpochProofQuoteJson): SignedEpochProofQuote {
  const q = j.quote;
  return {
    quote: { epochToProve: BigInt(q.epochToProve), validUntilSlot: BigInt(q.validUntilSlot), bondAmount: BigInt(q.bondAmount), prover: getAddress(q.prover), basisPointFee: q.basisPointFee },
    signature: j.signature,
  };
}

/** A quote the sequencer (JSON-RPC) or a gossip validator refuses; `message` names the reason. */
export class QuoteRejectedError extends Error {
  override name = 'QuoteRejectedError';
}

/** What checking a quote against the chain needs (the l1-client plugin's `quoteChainView` reads it from L1). */
export interface QuoteChainView {
  domain: QuoteDomainParams;
  epochDuration: bigint;
  minimumBond: bigint;
  currentSlot(): Promise<bigint>;
  /** The prover's deposit in the proof commitment escrow. */
  escrowDeposit(prover: Address): Promise<bigint>;
}

/**
 * Whether a signed quote may be claimed now, checked the same way wherever it arrives (JSON-RPC or
 * gossip): bounds, EIP-712 signature by the prover it names, an epoch claimable now (the previous or
 * the current one), not expired, bond at least the Rollup's minimum and covered by the prover's
 * escrow deposit. Throws QuoteRejectedError with the reason.
 */
export async function checkClaimableQuote(signed: SignedEpochProofQuote, view: QuoteChainView): Promise<void> {
  const q = signed.quote;
  const reject = (reason: string): never => {
    throw new QuoteRejectedError(`quote for epoch ${q.epochToProve} by ${q.prover} rejected: ${reason}`);
  };
  try {
    validateQuote(q);
  } catch (e) {
    reject((e as Error).message);
  }
  // Recovery is ~2 ms of main-thread work, and a flood of quotes lands in one poll phase: one
  // recovery per turn of the event loop, or 64 quotes in flight stall the process for 150 ms.
  await nextTurn();
  let signer: string;
  try {
    signer = await recoverQuoteSigner(signed, view.domain);
  } catch {
    return reject('the signature does not decode');
  }
  if (getAddress(signer) !== getAddress(q.prover)) reject(`signed by ${signer}, not by the prover it names (EIP-712 domain: chain ${view.domain.chainId}, rollup ${view.domain.rollup})`);
  const currentSlot = await view.currentSlot();
  const currentEpoch = currentSlot / view.epochDuration;
  if (q.epochToProve > currentEpoch || q.epochToProve + 1n < currentEpoch) {
    reject(`epoch ${q.epochToProve} is not claimable now (current epoch ${currentEpoch}: quotes are for the previous or the current epoch)`);
  }
  if (q.validUntilSlot < currentSlot) reject(`expired: validUntilSlot ${q.validUntilSlot} is before the current slot ${currentSlot}`);
  if (q.bondAmount < view.minimumBond) reject(`bondAmount ${q.bondAmount} is below the Rollup's minimum bond ${view.minimumBond}`);
  const deposit = await view.escrowDeposit(q.prover);
  if (deposit < q.bondAmount) reject(`the prover's escrow deposit ${deposit} does not cover the bond ${q.bondAmount} (deposit into the ProofCommitmentEscrow first)`);
}
