// Keeps the prover's escrow deposit between a minimum and a target: quotes are only claimable when
// the deposit covers their bond, and every claim stakes (locks) part of it until the proof lands.
import type { Address, PublicClient } from 'viem';
import { proofCommitmentEscrowAbi, quetzalTokenAbi, type L1TxSender } from '@quetzal/l1';

export interface BondManagerOptions {
  client: PublicClient;
  sender: L1TxSender;
  escrow: Address;
  token: Address;
  /** Top up when the free deposit falls below this. */
  minimumDeposit: bigint;
  /** Top up to this. */
  targetDeposit: bigint;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}

export class BondManager {
  constructor(private readonly o: BondManagerOptions) {
    if (o.targetDeposit < o.minimumDeposit) {
      throw new RangeError(`--prover-node.bond.target-deposit (${o.targetDeposit}) must be at least --prover-node.bond.minimum-deposit (${o.minimumDeposit})`);
    }
  }

  /** The free deposit (what a new claim can stake). */
  deposit(): Promise<bigint> {
    return this.o.client.readContract({ address: this.o.escrow, abi: proofCommitmentEscrowAbi, functionName: 'deposits', args: [this.o.sender.address] });
  }

  /** Tops the deposit up to the target when it is below the minimum (as far as the token balance allows); returns the deposit. */
  async ensure(): Promise<bigint> {
    const { client, sender, escrow, token } = this.o;
    const deposit = await this.deposit();
    if (deposit >= this.o.minimumDeposit) return deposit;
    const balance = await client.readContract({ address: token, abi: quetzalTokenAbi, functionName: 'balanceOf', args: [sender.address] });
    const amount = min(this.o.targetDeposit - deposit, balance);
    if (amount === 0n) {
      this.o.logger?.warn({ deposit: deposit.toString(), minimum: this.o.minimumDeposit.toString(), prover: sender.address }, 'escrow deposit below the minimum and no bond tokens to top it up');
      return deposit;
    }
    const allowance = await client.readContract({ address: token, abi: quetzalTokenAbi, functionName: 'allowance', args: [sender.address, escrow] });
    if (allowance < amount) await sender.sendContractTx({ address: token, abi: quetzalTokenAbi, functionName: 'approve', args: [escrow, amount], label: 'QuetzalToken.approve(escrow)' });
    await sender.sendContractTx({ address: escrow, abi: proofCommitmentEscrowAbi, functionName: 'deposit', args: [amount], label: 'ProofCommitmentEscrow.deposit' });
    const after = deposit + amount;
    this.o.logger?.info({ deposited: amount.toString(), deposit: after.toString() }, 'escrow deposit topped up');
    return after;
  }
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
