// Revert decoding: custom errors by name and arguments, from any viem error.
import { decodeErrorResult, type Abi, type Hex } from 'viem';

type AbiError = Extract<Abi[number], { type: 'error' }>;
import { allErrorsAbi } from './generated/abis.js';

export interface DecodedRevert {
  errorName: string;
  args: readonly unknown[];
  /** e.g. `InvalidSlot(currentSlot: 5, given: 4)` */
  formatted: string;
  data: Hex;
}

/** Finds revert data (0x-prefixed hex) anywhere in a viem error's cause chain. */
export function extractRevertData(err: unknown): Hex | undefined {
  const seen = new Set<unknown>();
  let x: unknown = err;
  while (x && typeof x === 'object' && !seen.has(x)) {
    seen.add(x);
    const o = x as { data?: unknown; cause?: unknown; raw?: unknown };
    if (typeof o.raw === 'string' && o.raw.startsWith('0x') && o.raw.length >= 10) return o.raw as Hex;
    if (typeof o.data === 'string' && o.data.startsWith('0x') && o.data.length >= 10) return o.data as Hex;
    if (o.data && typeof o.data === 'object') {
      const d = (o.data as { data?: unknown }).data;
      if (typeof d === 'string' && d.startsWith('0x') && d.length >= 10) return d as Hex;
    }
    x = o.cause;
  }
  return undefined;
}

function fmt(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(fmt).join(', ')}]`;
  if (v && typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** Decodes revert data against `abi` plus every error of the project's contracts. */
export function decodeRevertData(data: Hex, abi: Abi = []): DecodedRevert | undefined {
  const merged = [...abi.filter((i) => i.type === 'error'), ...allErrorsAbi] as Abi;
  try {
    const r = decodeErrorResult({ abi: merged, data });
    const def = merged.find((i): i is AbiError => i.type === 'error' && i.name === r.errorName && i.inputs.length === (r.args?.length ?? 0));
    const args = r.args ?? [];
    const parts = args.map((a, i) => {
      const name = def?.inputs[i]?.name;
      return name ? `${name}: ${fmt(a)}` : fmt(a);
    });
    return { errorName: r.errorName, args, formatted: `${r.errorName}(${parts.join(', ')})`, data };
  } catch {
    return undefined;
  }
}

/** The decoded custom error of a failed call/tx, if there is one. */
export function decodeRevert(err: unknown, abi: Abi = []): DecodedRevert | undefined {
  const data = extractRevertData(err);
  return data ? decodeRevertData(data, abi) : undefined;
}

/** A tx (or its simulation) reverted. `revert` holds the decoded custom error when known. */
export class L1TxRevertedError extends Error {
  constructor(
    message: string,
    public readonly revert: DecodedRevert | undefined,
    public readonly txHash?: Hex,
  ) {
    super(message);
    this.name = 'L1TxRevertedError';
  }
  get errorName(): string | undefined {
    return this.revert?.errorName;
  }
}

export class L1TxTimeoutError extends Error {
  constructor(
    message: string,
    public readonly txHashes: readonly Hex[],
  ) {
    super(message);
    this.name = 'L1TxTimeoutError';
  }
}

/** Removes a secret (e.g. a private key, with or without 0x) from a message. */
export function scrubSecret(message: string, secret: string | undefined): string {
  if (!secret) return message;
  const bare = secret.replace(/^0x/i, '');
  if (bare.length < 16) return message;
  return message.replace(new RegExp(`(0x)?${bare}`, 'gi'), '[REDACTED]');
}
