// Where an L1 private key comes from, for every role and command: a flag (or env var), a key file,
// or (on anvil's chain only, and only when no key option was given at all) one of anvil's
// well-known dev keys. Errors name the option and the file, never the key.
import { readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_CHAIN_ID, ANVIL_DEFAULT_PRIVATE_KEYS } from './anvil.js';

/** secp256k1's group order: a private key must lie in [1, n). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export interface L1KeySource {
  /** The key as given (flag, env var or config); `flag` names that option in errors. */
  key?: string;
  flag: string;
  /** A file holding the key; `fileFlag` names that option in errors. */
  keyFile?: string;
  fileFlag?: string;
  /** anvil's dev account used on chain 31337 when neither is given. */
  devIndex: number;
  chainId: number;
  /** Told the key, whatever its source, so that it is redacted from every log line and error (at any level). */
  redactor?: { addSecretValue(value: string): void };
}

export interface ResolvedL1Key {
  key: Hex;
  /** The dev account index when anvil's dev key was used. */
  devAccount?: number;
}

/** Logs (without the key) when anvil's dev key is used. */
export function resolveL1Key(s: L1KeySource, log?: { info(obj: object, msg: string): void }): ResolvedL1Key {
  const resolved = resolveKey(s, log);
  // as given and as libraries print it (lower case)
  s.redactor?.addSecretValue(resolved.key);
  s.redactor?.addSecretValue(resolved.key.toLowerCase());
  return resolved;
}

function resolveKey(s: L1KeySource, log?: { info(obj: object, msg: string): void }): ResolvedL1Key {
  if (s.key !== undefined) return { key: checkedKey(s.key, s.flag) };
  if (s.keyFile !== undefined) {
    const where = `${s.fileFlag ?? 'the key file'} ${s.keyFile}`;
    let text: string;
    try {
      text = readFileSync(s.keyFile, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${where}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
    }
    if (text.trim() === '') throw new Error(`${where} is empty: write the 0x-prefixed hex key into it`);
    return { key: checkedKey(text.trim(), where) };
  }
  if (s.chainId !== ANVIL_CHAIN_ID) {
    const options = [s.flag, s.fileFlag].filter(Boolean).join(' or ');
    throw new Error(`no L1 key: pass ${options} (chain ${s.chainId} is not anvil, so no dev key is used)`);
  }
  const key = ANVIL_DEFAULT_PRIVATE_KEYS[s.devIndex]!;
  log?.info({ devAccount: s.devIndex, address: privateKeyToAccount(key).address }, `no ${s.flag} given: using anvil's dev account`);
  return { key, devAccount: s.devIndex };
}

function checkedKey(key: string, where: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error(`${where}: an L1 key must be 32 bytes of 0x-prefixed hex`);
  const k = BigInt(key);
  if (k === 0n || k >= SECP256K1_N) throw new Error(`${where}: not a valid secp256k1 private key (it must be between 1 and the curve order)`);
  return key as Hex;
}
