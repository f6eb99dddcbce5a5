// The one L1 tx sender every role uses: local nonce tracking (resync on error), gas estimation with a margin,
// EIP-1559 fees with bumping and re-broadcast of a stuck tx (same nonce, higher fees), receipt waiting with a
// timeout, and reverts decoded into custom-error names and arguments. The private key never leaves this module:
// it is not logged and is scrubbed from every error message.
import {
  createPublicClient, encodeDeployData, encodeFunctionData, fallback, http, getAddress,
  type Abi, type Address, type ContractFunctionArgs, type ContractFunctionName, type Hex, type PublicClient, type TransactionReceipt,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { decodeRevert, L1TxRevertedError, L1TxTimeoutError, scrubSecret } from './errors.js';

/** pino-compatible subset. */
export interface L1Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const silentLogger: L1Logger = { info() {}, warn() {}, debug() {} };

export interface L1TxSenderOptions {
  /** One URL, or several (tried in order through viem's fallback transport). */
  rpcUrls?: string | readonly string[];
  /** Use this client instead of building one from rpcUrls. */
  publicClient?: PublicClient;
  privateKey: Hex;
  /** Fractional gas margin over the estimate (default 0.2 = +20%). */
  gasMargin?: number;
  /** Percent by which each re-broadcast raises both fee fields (default 20; at least 10 is needed to replace). */
  feeBumpPercent?: number;
  /** Never bid more than this per gas. */
  maxFeePerGasCap?: bigint;
  /** Re-broadcast with higher fees after this long without a receipt (default 12 s). */
  stuckTimeoutMs?: number;
  /** Give up waiting for a receipt after this long (default 180 s). */
  receiptTimeoutMs?: number;
  /** Most re-broadcasts of one tx (default 5). */
  maxBumps?: number;
  pollIntervalMs?: number;
  logger?: L1Logger;
  /** Extra ABIs whose custom errors should be decoded (e.g. the HonkVerifier's SumcheckFailed). */
  errorAbis?: readonly Abi[];
}

export interface TxRequest {
  to?: Address;
  data: Hex;
  value?: bigint;
  /** Skip estimation and use this gas limit. */
  gas?: bigint;
  /** For logs and error messages, e.g. `Rollup.propose`. */
  label?: string;
  /** ABI whose errors decode a revert (the project's errors are always included). */
  abi?: Abi;
  /** Skip the eth_call dry run (then a revert is found only when mined). */
  skipSimulation?: boolean;
}

export interface SentTx {
  receipt: TransactionReceipt;
  /** Every hash broadcast for this nonce (the last is the one re-broadcast last). */
  hashes: Hex[];
  bumps: number;
}

type WriteFunctionName<abi extends Abi> = ContractFunctionName<abi, 'nonpayable' | 'payable'>;

export class L1TxSender {
  readonly address: Address;
  readonly client: PublicClient;
  #account: PrivateKeyAccount;
  #secret: Hex;
  #nonce: number | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #chainId: number | undefined;
  #extraErrors: Abi[number][] = [];
  private readonly o: Required<Omit<L1TxSenderOptions, 'rpcUrls' | 'publicClient' | 'privateKey' | 'maxFeePerGasCap' | 'logger' | 'errorAbis'>> & {
    maxFeePerGasCap?: bigint;
  };
  private readonly log: L1Logger;

  constructor(opts: L1TxSenderOptions) {
    this.#secret = opts.privateKey;
    try {
      this.#account = privateKeyToAccount(opts.privateKey);
    } catch {
      throw new Error('invalid L1 private key (expected 32 bytes of hex)');
    }
    this.address = this.#account.address;
    if (opts.publicClient) this.client = opts.publicClient;
    else {
      const urls = typeof opts.rpcUrls === 'string' ? [opts.rpcUrls] : [...(opts.rpcUrls ?? [])];
      if (urls.length === 0) throw new Error('L1TxSender needs rpcUrls or a publicClient');
      const transport = urls.length === 1 ? http(urls[0]) : fallback(urls.map((u) => http(u)));
      this.client = createPublicClient({ transport, cacheTime: 0, pollingInterval: opts.pollIntervalMs ?? 250 }) as PublicClient;
    }
    this.o = {
      gasMargin: opts.gasMargin ?? 0.2,
      feeBumpPercent: Math.max(10, opts.feeBumpPercent ?? 20),
      stuckTimeoutMs: opts.stuckTimeoutMs ?? 12_000,
      receiptTimeoutMs: opts.receiptTimeoutMs ?? 180_000,
      maxBumps: opts.maxBumps ?? 5,
      pollIntervalMs: opts.pollIntervalMs ?? 250,
      maxFeePerGasCap: opts.maxFeePerGasCap,
    };
    this.log = opts.logger ?? silentLogger;
    for (const abi of opts.errorAbis ?? []) this.registerErrors(abi);
  }

  /** Decode the custom errors of this ABI too (contracts called by our contracts, e.g. a verifier). */
  registerErrors(abi: Abi): void {
    this.#extraErrors.push(...abi.filter((i) => i.type === 'error'));
  }

  #abiFor(abi: Abi | undefined): Abi {
    return [...(abi ?? []), ...this.#extraErrors] as Abi;
  }

  /** The account, for EIP-712 signing (quotes). Signing never exposes the key. */
  get account(): PrivateKeyAccount {
    return this.#account;
  }

  /** Forget the local nonce; the next send reads the pending count from L1. */
  resyncNonce(): void {
    this.#nonce = undefined;
  }

  async chainId(): Promise<number> {
    this.#chainId ??= await this.client.getChainId();
    return this.#chainId;
  }

  /** Encodes and sends a contract call; see `send`. */
  async sendContractTx<const abi extends Abi, functionName extends WriteFunctionName<abi>>(p: {
    address: Address;
    abi: abi;
    functionName: functionName;
    args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>;
    value?: bigint;
    gas?: bigint;
    label?: string;
    skipSimulation?: boolean;
  }): Promise<SentTx> {
    const data = encodeFunctionData({ abi: p.abi, functionName: p.functionName, args: p.args } as unknown as Parameters<typeof encodeFunctionData>[0]);
    return this.send({ to: p.address, data, value: p.value, gas: p.gas, abi: p.abi, label: p.label ?? String(p.functionName), skipSimulation: p.skipSimulation });
  }

  /** Deploys a contract (bytecode already linked); resolves with its address. */
  async deploy(p: { abi: Abi; bytecode: Hex; args?: readonly unknown[]; label?: string; gas?: bigint }): Promise<SentTx & { address: Address }> {
    const data = encodeDeployData({ abi: p.abi, bytecode: p.bytecode, args: p.args ?? [] } as unknown as Parameters<typeof encodeDeployData>[0]);
    const sent = await this.send({ data, abi: p.abi, label: p.label ?? 'deploy', gas: p.gas });
    if (!sent.receipt.contractAddress) throw new Error(`${p.label ?? 'deploy'}: receipt has no contract address`);
    return { ...sent, address: getAddress(sent.receipt.contractAddress) };
  }

  /**
   * Dry-runs the tx (a revert throws L1TxRevertedError with the decoded custom error), estimates gas with the
   * margin, signs with the next nonce and EIP-1559 fees, broadcasts, and waits for the receipt, re-broadcasting
   * with bumped fees while it is stuck. Resolves with a successful receipt or throws.
   */
  async send(req: TxRequest): Promise<SentTx> {
    const label = req.label ?? (req.to ? `tx to ${req.to}` : 'deploy');
    try {
      return await this.#send(req, label);
    } catch (e) {
      if (e instanceof L1TxRevertedError || e instanceof L1TxTimeoutError) throw e;
      const v = e as { shortMessage?: string; details?: string; message?: string };
      const text = v.shortMessage ? `${v.shortMessage}${v.details ? ` (${v.details})` : ''}` : (v.message ?? String(e));
      // no cause: the raw error may hold the secret this message was scrubbed of
      // eslint-disable-next-line preserve-caught-error
      throw new Error(`${label} failed: ${scrubSecret(text, this.#secret)}`);
    }
  }

  async #send(req: TxRequest, label: string): Promise<SentTx> {
    const base = { account: this.address, to: req.to, data: req.data, value: req.value } as const;
    if (!req.skipSimulation) {
      try {
        await this.client.call(base);
      } catch (e) {
        throw this.#revertError(e, label, req.abi, 'would revert');
      }
    }
    let gas = req.gas;
    if (gas === undefined) {
      try {
        const est = await this.client.estimateGas(base);
        gas = est + (est * BigInt(Math.round(this.o.gasMargin * 10_000))) / 10_000n;
      } catch (e) {
        throw this.#revertError(e, label, req.abi, 'gas estimation failed');
      }
    }
    const chainId = await this.chainId();

    // Allocate the nonce and make the first broadcast under the lock, so concurrent senders get consecutive nonces.
    const first = await this.#locked(async () => {
      let fees = await this.#fees();
      for (let attempt = 0; ; attempt++) {
        const nonce = this.#nonce ?? (await this.client.getTransactionCount({ address: this.address, blockTag: 'pending' }));
        try {
          const hash = await this.#broadcast({ ...req, gas: gas! }, chainId, nonce, fees);
          this.#nonce = nonce + 1;
          return { nonce, fees, hash };
        } catch (e) {
          this.#nonce = undefined; // resync from L1 on any error
          const m = String((e as Error).message ?? e).toLowerCase();
          const retryable = m.includes('nonce too low') || m.includes('already known') || m.includes('underpriced') || m.includes('nonce');
          if (!retryable || attempt >= 2) throw e;
          if (m.includes('underpriced')) fees = this.#bumped(fees, await this.#fees());
          this.log.warn({ label, nonce, attempt }, 'L1 broadcast refused, resyncing nonce and retrying');
        }
      }
    });
    this.log.info({ label, hash: first.hash, nonce: first.nonce, gas: gas.toString(), maxFeePerGas: first.fees.maxFeePerGas.toString() }, 'L1 tx sent');

    const hashes: Hex[] = [first.hash];
    let fees = first.fees;
    let bumps = 0;
    const started = Date.now();
    let lastBroadcast = started;
    for (;;) {
      const receipt = await this.#findReceipt(hashes);
      if (receipt) {
        if (receipt.status !== 'success') {
          // Replay the call on the parent block's state to learn why it reverted.
          let decoded: ReturnType<typeof decodeRevert>;
          try {
            await this.client.call({ ...base, gas, blockNumber: receipt.blockNumber - 1n });
          } catch (e) {
            decoded = decodeRevert(e, this.#abiFor(req.abi));
          }
          throw new L1TxRevertedError(`${label} reverted in tx ${receipt.transactionHash}${decoded ? `: ${decoded.formatted}` : ''}`, decoded, receipt.transactionHash);
        }
        this.log.info({ label, hash: receipt.transactionHash, gasUsed: receipt.gasUsed.toString(), block: receipt.blockNumber.toString(), bumps }, 'L1 tx mined');
        return { receipt, hashes, bumps };
      }
      const now = Date.now();
      if (now - started > this.o.receiptTimeoutMs) {
        this.#nonce = undefined;
        throw new L1TxTimeoutError(`${label}: no receipt after ${this.o.receiptTimeoutMs} ms (nonce ${first.nonce}, txs ${hashes.join(', ')})`, hashes);
      }
      if (now - lastBroadcast >= this.o.stuckTimeoutMs && bumps < this.o.maxBumps) {
        const next = this.#bumped(fees, await this.#fees());
        if (this.o.maxFeePerGasCap !== undefined && next.maxFeePerGas > this.o.maxFeePerGasCap) {
          this.log.warn({ label, nonce: first.nonce }, 'L1 tx stuck but the fee cap is reached; waiting');
          lastBroadcast = now;
        } else {
          try {
            const hash = await this.#broadcast({ ...req, gas }, chainId, first.nonce, next);
            hashes.push(hash);
            fees = next;
            bumps++;
            this.log.warn({ label, hash, nonce: first.nonce, bump: bumps, maxFeePerGas: next.maxFeePerGas.toString() }, 'L1 tx stuck: re-broadcast with higher fees');
          } catch (e) {
            // "nonce too low": one of our txs for this nonce was mined meanwhile; the next poll finds it.
            // "underpriced": bid higher still next time.
            if (String((e as Error).message).toLowerCase().includes('underpriced')) fees = next;
            this.log.debug({ label, err: scrubSecret(String((e as Error).message), this.#secret).slice(0, 200) }, 'L1 re-broadcast refused');
          }
          lastBroadcast = Date.now();
        }
      }
      await new Promise((r) => setTimeout(r, this.o.pollIntervalMs));
    }
  }

  async #broadcast(req: TxRequest & { gas: bigint }, chainId: number, nonce: number, fees: Fees): Promise<Hex> {
    const signed = await this.#account.signTransaction({
      type: 'eip1559',
      chainId,
      nonce,
      to: req.to ?? null,
      data: req.data,
      value: req.value ?? 0n,
      gas: req.gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    return this.client.sendRawTransaction({ serializedTransaction: signed });
  }

  async #fees(): Promise<Fees> {
    const f = await this.client.estimateFeesPerGas();
    let maxFeePerGas = f.maxFeePerGas;
    if (this.o.maxFeePerGasCap !== undefined && maxFeePerGas > this.o.maxFeePerGasCap) maxFeePerGas = this.o.maxFeePerGasCap;
    const maxPriorityFeePerGas = f.maxPriorityFeePerGas > maxFeePerGas ? maxFeePerGas : f.maxPriorityFeePerGas;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  /** Both fields up by feeBumpPercent (the replacement rule wants >= 10% on each), and at least the market's. */
  #bumped(prev: Fees, market: Fees): Fees {
    const up = (v: bigint) => (v * BigInt(100 + this.o.feeBumpPercent)) / 100n + 1n;
    const max = (a: bigint, b: bigint) => (a > b ? a : b);
    const maxPriorityFeePerGas = max(up(prev.maxPriorityFeePerGas), market.maxPriorityFeePerGas);
    const maxFeePerGas = max(max(up(prev.maxFeePerGas), market.maxFeePerGas), maxPriorityFeePerGas);
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  async #findReceipt(hashes: readonly Hex[]): Promise<TransactionReceipt | undefined> {
    for (const hash of [...hashes].reverse()) {
      try {
        return await this.client.getTransactionReceipt({ hash });
      } catch {
        /* not mined (yet) */
      }
    }
    return undefined;
  }

  #revertError(e: unknown, label: string, abi: Abi | undefined, what: string): Error {
    const decoded = decodeRevert(e, this.#abiFor(abi));
    if (decoded) return new L1TxRevertedError(`${label} ${what}: ${decoded.formatted}`, decoded);
    const msg = scrubSecret((e as { shortMessage?: string }).shortMessage ?? (e as Error).message ?? String(e), this.#secret);
    return new L1TxRevertedError(`${label} ${what}: ${msg}`, undefined);
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** Never print the key: util.inspect and JSON show only the address. */
  toJSON(): object {
    return { address: this.address };
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `L1TxSender { address: '${this.address}' }`;
  }
}

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}
