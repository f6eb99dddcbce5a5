// A tx bot for the local network: valid txs from the dev fee payers (client proofs from the
// configured CircuitProver, so real proofs under `native`), at a fixed interval, and L1->L2
// messages through the Inbox.
import { randomBytes } from 'node:crypto';
import { toHex, type Address } from 'viem';
import { inboxAbi, type L1TxSender } from '@quetzal/l1';
import type { Logger } from '@quetzal/kernel/logging';
import type { CircuitProver } from '@quetzal/protocol/circuit-prover';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import type { NodeApi } from '@quetzal/protocol/node-api';
import { buildTxCircuitInputs, Tx } from '@quetzal/protocol/tx';

export interface BotConfig {
  chainId: bigint;
  version: bigint;
  /** Secrets of the fee payers the bot spends from (round robin). */
  secrets: bigint[];
  transactionFee: bigint;
  txIntervalMs: number;
  /** 0 = no L1->L2 messages. */
  messageIntervalMs: number;
}

export interface BotL1 {
  sender: L1TxSender;
  inbox: Address;
}

const randomField = () => BigInt(toHex(randomBytes(32))) % FIELD_MODULUS;

export class TxBot {
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private inFlight = new Set<Promise<unknown>>();
  private next = 0;
  sentTxs = 0;
  sentMessages = 0;

  constructor(
    private readonly node: NodeApi,
    private readonly prover: CircuitProver,
    private readonly config: BotConfig,
    private readonly l1: BotL1 | undefined,
    private readonly log: Logger,
  ) {
    if (config.secrets.length === 0) throw new Error('the bot needs at least one fee payer secret');
  }

  start(): void {
    this.running = true;
    this.every(this.config.txIntervalMs, () => this.sendTx());
    if (this.l1 && this.config.messageIntervalMs > 0) this.every(this.config.messageIntervalMs, () => this.sendL1ToL2Message());
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    const run = async () => {
      if (!this.running) return;
      const p = fn().catch((e) => this.log.warn({ err: (e as Error).message }, 'bot action failed'));
      this.inFlight.add(p);
      await p;
      this.inFlight.delete(p);
      if (this.running) this.timers.push(setTimeout(run, ms));
    };
    void run();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(this.inFlight);
  }

  /**
   * Proves and sends one tx: a note hash, an L2->L1 message (to the bot's L1 account, which can
   * consume it once proven; a random address without L1), the fee; resolves with its hash.
   */
  async sendTx(): Promise<bigint> {
    const secret = this.config.secrets[this.next++ % this.config.secrets.length]!;
    const inputs = buildTxCircuitInputs({
      secret,
      nonce: BigInt(toHex(randomBytes(16))),
      chainId: this.config.chainId,
      version: this.config.version,
      transactionFee: this.config.transactionFee,
      noteHashes: [randomField()],
      l2ToL1Msgs: [{ recipient: this.l1 ? BigInt(this.l1.sender.address) : BigInt(toHex(randomBytes(20))) | 1n, content: randomField() }],
    });
    const proven = await this.prover.proveTx(inputs);
    const hash = await this.node.sendTx(new Tx(proven.publicOutputs, proven.proof));
    this.sentTxs++;
    this.log.info({ tx: `0x${hash.toString(16)}`, prover: this.prover.kind }, 'bot sent a tx');
    return hash;
  }

  async sendL1ToL2Message(): Promise<void> {
    if (!this.l1) throw new Error('the bot has no L1 sender');
    const word = () => toHex(randomField(), { size: 32 });
    await this.l1.sender.sendContractTx({ address: this.l1.inbox, abi: inboxAbi, functionName: 'sendL2Message', args: [word(), word(), word()], label: 'Inbox.sendL2Message (bot)' });
    this.sentMessages++;
    this.log.info({}, 'bot sent an L1->L2 message');
  }
}
