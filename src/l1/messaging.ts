// L1 <-> L2 messaging helpers: Inbox leaves and sends, Outbox membership paths and consumption.
import { encodeAbiParameters, parseEventLogs, toHex, type Address, type Hex, type PublicClient } from 'viem';
import { sha256ToField, toBytes32, wonkyPath, type WonkyPathStep } from '@quetzal/protocol/hash/sha256';
import { L1_TO_L2_MSGS_PER_BLOCK } from '@quetzal/protocol/constants';
import type { TxEffect } from '@quetzal/protocol/block';
import { inboxAbi, outboxAbi } from './generated/abis.js';
import type { L1TxSender, SentTx } from './tx-sender.js';

const fieldHex = (v: bigint): Hex => toHex(toBytes32(v));

export interface L1ToL2Message {
  sender: Address;
  recipient: bigint;
  content: bigint;
  secretHash: bigint;
  /** (tree - 1) * L1_TO_L2_MSGS_PER_BLOCK + index in the tree: the leaf's index in the L2 message tree. */
  globalIndex: bigint;
}

/** The Inbox leaf: sha256ToField(abi.encode(sender, recipient, content, secretHash, globalIndex)). */
export function inboxLeaf(m: L1ToL2Message): bigint {
  const enc = encodeAbiParameters(
    [{ type: 'address' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }],
    [m.sender, fieldHex(m.recipient), fieldHex(m.content), fieldHex(m.secretHash), m.globalIndex],
  );
  return sha256ToField(Uint8Array.from(Buffer.from(enc.slice(2), 'hex')));
}

/** The tree (= the L2 block number that consumes it) of a global index. */
export function treeOfGlobalIndex(globalIndex: bigint): bigint {
  return globalIndex / BigInt(L1_TO_L2_MSGS_PER_BLOCK) + 1n;
}

export class InboxContract {
  constructor(
    readonly client: PublicClient,
    readonly address: Address,
  ) {}

  /** The leaves block `blockNumber` consumes (tree `blockNumber`), in order, unpadded. */
  async getLeavesForBlock(blockNumber: number): Promise<bigint[]> {
    const leaves = (await this.client.readContract({ address: this.address, abi: inboxAbi, functionName: 'getLeaves', args: [BigInt(blockNumber)] })) as readonly Hex[];
    return leaves.map((l) => BigInt(l));
  }

  /** The inHash block `blockNumber` must carry. */
  async getRoot(blockNumber: number): Promise<bigint> {
    return BigInt(await this.client.readContract({ address: this.address, abi: inboxAbi, functionName: 'getRoot', args: [BigInt(blockNumber)] }));
  }

  /** The tree new messages go to; trees below it are frozen. */
  inProgress(): Promise<bigint> {
    return this.client.readContract({ address: this.address, abi: inboxAbi, functionName: 'inProgress' });
  }

  async sendL2Message(sender: L1TxSender, m: { recipient: bigint; content: bigint; secretHash: bigint }): Promise<{ leaf: bigint; globalIndex: bigint; treeNumber: bigint; sent: SentTx }> {
    const sent = await sender.sendContractTx({
      address: this.address, abi: inboxAbi, functionName: 'sendL2Message', args: [fieldHex(m.recipient), fieldHex(m.content), fieldHex(m.secretHash)], label: 'Inbox.sendL2Message',
    });
    const [ev] = parseEventLogs({ abi: inboxAbi, logs: sent.receipt.logs, eventName: 'MessageSent' });
    if (!ev) throw new Error('Inbox.sendL2Message: no MessageSent event in the receipt');
    return { leaf: BigInt(ev.args.hash), globalIndex: ev.args.globalIndex, treeNumber: ev.args.treeNumber, sent };
  }
}

export interface OutboxMessagePath {
  directions: bigint;
  siblings: bigint[];
}

/**
 * The Outbox membership path of message `msgIndex` of tx `txIndex` in a block: the other message of the tx,
 * then the wonky tree over the block's tx out hashes (SPEC.md "L2 -> L1 messages").
 */
export function outboxMessagePath(txEffects: readonly TxEffect[], txIndex: number, msgIndex: number): OutboxMessagePath {
  const tx = txEffects[txIndex];
  if (!tx) throw new RangeError(`no tx ${txIndex} in a block of ${txEffects.length}`);
  if (msgIndex !== 0 && msgIndex !== 1) throw new RangeError(`message index ${msgIndex} out of range`);
  const steps: WonkyPathStep[] = [{ sibling: tx.l2ToL1Msgs[1 - msgIndex]!, isRight: msgIndex === 1 }, ...wonkyPath(txEffects.map((t) => t.outHash()), txIndex)];
  let directions = 0n;
  steps.forEach((s, k) => {
    if (s.isRight) directions |= 1n << BigInt(k);
  });
  return { directions, siblings: steps.map((s) => s.sibling) };
}

/** An L2->L1 message as the Outbox takes it: its L2 sender (the tx's account), L1 recipient and content. */
export interface OutboxMessage {
  sender: bigint;
  recipient: Address;
  content: bigint;
}

export class OutboxContract {
  constructor(
    readonly client: PublicClient,
    readonly address: Address,
  ) {}

  /** Consumes a message; `sender` must be the message's recipient (the Outbox refuses anyone else). */
  consume(sender: L1TxSender, blockNumber: number, message: OutboxMessage, path: OutboxMessagePath): Promise<SentTx> {
    const m = { sender: fieldHex(message.sender), recipient: message.recipient, content: fieldHex(message.content) };
    return sender.sendContractTx({
      address: this.address, abi: outboxAbi, functionName: 'consume', args: [BigInt(blockNumber), m, path.directions, path.siblings.map(fieldHex)], label: `Outbox.consume(${blockNumber})`,
    });
  }

  async hasBeenConsumed(blockNumber: number, path: OutboxMessagePath): Promise<boolean> {
    const leafId = await this.client.readContract({ address: this.address, abi: outboxAbi, functionName: 'leafIdOf', args: [path.directions, BigInt(path.siblings.length)] });
    return this.client.readContract({ address: this.address, abi: outboxAbi, functionName: 'hasMessageBeenConsumed', args: [BigInt(blockNumber), leafId] });
  }
}
