// Request-response: fetch txs by hash (P2P_TX_REQUEST_PROTOCOL). A request is one length-prefixed
// frame of 32-byte hashes (at most maxHashes); the answer is a status frame, then one frame per hash:
// the tx's bytes, or empty when the server does not have it or the response would pass maxResponseBytes.
// Each peer gets `requestsPerSecond` requests (bursts of `burst`); beyond that it is told so.
import { lpStream } from 'it-length-prefixed-stream';
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { PROOF_LENGTH, TX_PUBLIC_OUTPUTS_LENGTH } from '@quetzal/protocol/constants';
import { fieldsToBytes, bytesToFields } from '@quetzal/protocol/hash/sha256';
import { Tx } from '@quetzal/protocol/tx';

export interface TxRequestLimits {
  /** Hashes in one request. */
  maxHashes: number;
  /** Bytes of txs in one response. */
  maxResponseBytes: number;
  /** Requests a peer may make per second, sustained. */
  requestsPerSecond: number;
  burst: number;
  /** Time for one request (dial, write, read). */
  timeoutMs: number;
}

export const DEFAULT_TX_REQUEST_LIMITS: TxRequestLimits = { maxHashes: 64, maxResponseBytes: 4 * 1024 * 1024, requestsPerSecond: 10, burst: 20, timeoutMs: 5000 };

/** A serialized tx with a client proof of the protocol's length (longer ones are invalid anyway). */
export const MAX_TX_BYTES = 4 + (TX_PUBLIC_OUTPUTS_LENGTH + PROOF_LENGTH) * 32;

const enum Status {
  Ok = 0,
  RateLimited = 1,
  BadRequest = 2,
}

export type RequestOutcome = 'ok' | 'rate-limited' | 'bad-request' | 'error';

export class TxRequestError extends Error {
  override name = 'TxRequestError';
  constructor(
    message: string,
    readonly outcome: RequestOutcome = 'error',
  ) {
    super(message);
  }
}

/** Token buckets per peer. */
export class PeerRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  take(peer: string, now = Date.now()): boolean {
    const b = this.buckets.get(peer) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(peer, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** Serves txs from `lookup` to peers; tells `onServed` the outcome and duration of each request. */
export function txRequestHandler(
  lookup: (hash: bigint) => Tx | undefined,
  limits: TxRequestLimits,
  onServed: (outcome: RequestOutcome, seconds: number) => void,
) {
  const limiter = new PeerRateLimiter(limits.requestsPerSecond, limits.burst);
  return async ({ stream, connection }: { stream: Stream; connection: Connection }): Promise<void> => {
    const t0 = performance.now();
    const signal = AbortSignal.timeout(limits.timeoutMs);
    const lp = lpStream(stream, { maxDataLength: limits.maxHashes * 32 });
    let outcome: RequestOutcome = 'ok';
    try {
      if (!limiter.take(connection.remotePeer.toString())) {
        outcome = 'rate-limited';
        await lp.write(Uint8Array.of(Status.RateLimited), { signal });
        return;
      }
      const request = (await lp.read({ signal })).subarray();
      if (request.length === 0 || request.length % 32 !== 0) {
        outcome = 'bad-request';
        await lp.write(Uint8Array.of(Status.BadRequest), { signal });
        return;
      }
      await lp.write(Uint8Array.of(Status.Ok), { signal });
      let budget = limits.maxResponseBytes;
      for (const hash of bytesToFields(request)) {
        const bytes = lookup(hash)?.toBytes();
        const send = bytes && bytes.length <= budget ? bytes : new Uint8Array(0);
        budget -= send.length;
        await lp.write(send, { signal });
      }
    } catch {
      outcome = 'error';
      stream.abort(new TxRequestError('tx request failed'));
      return;
    } finally {
      onServed(outcome, (performance.now() - t0) / 1000);
    }
    await stream.close().catch(() => undefined);
  };
}

type Dial = (peer: PeerId, protocol: string, options: { signal: AbortSignal }) => Promise<Stream>;

/** Asks one peer for up to limits.maxHashes txs; undefined where it had none (or sent a tx with another hash). */
export async function requestTxsFromPeer(dial: Dial, protocol: string, peer: PeerId, hashes: readonly bigint[], limits: TxRequestLimits, signal?: AbortSignal): Promise<(Tx | undefined)[]> {
  if (hashes.length > limits.maxHashes) throw new RangeError(`at most ${limits.maxHashes} hashes per request, got ${hashes.length}`);
  const s = signal ? AbortSignal.any([signal, AbortSignal.timeout(limits.timeoutMs)]) : AbortSignal.timeout(limits.timeoutMs);
  const stream = await dial(peer, protocol, { signal: s });
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_TX_BYTES });
    await lp.write(fieldsToBytes([...hashes]), { signal: s });
    const status = (await lp.read({ signal: s })).subarray()[0];
    if (status === Status.RateLimited) throw new TxRequestError(`peer ${peer} rate-limited the request`, 'rate-limited');
    if (status !== Status.Ok) throw new TxRequestError(`peer ${peer} refused the request (status ${status})`, 'bad-request');
    const out: (Tx | undefined)[] = [];
    for (const hash of hashes) {
      const frame = (await lp.read({ signal: s })).subarray();
      const tx = frame.length ? Tx.fromBytes(frame) : undefined;
      out.push(tx && tx.hash() === hash ? tx : undefined);
    }
    await stream.close({ signal: s }).catch(() => undefined);
    return out;
  } catch (e) {
    stream.abort(e as Error);
    throw e;
  }
}
