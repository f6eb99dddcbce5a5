// Reading a request body within limits: a size cap per caller, and a gate that bounds how many
// large bodies are held in memory at once (each may be tens of MB).
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

export class ServerBusy extends Error {}

/**
 * At most `max` large bodies are read and handled at once; up to `maxWaiting` more wait their turn
 * (unread: the socket applies backpressure). Beyond that, callers are told to come back later.
 */
export class LargeBodyGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly maxWaiting: number,
  ) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.max) {
      if (this.waiting.length >= this.maxWaiting) throw new ServerBusy('too many large requests at once');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

export interface ReadBodyOptions {
  limit: number;
  /** Bodies above this size pass through the gate. */
  largeAbove: number;
  gate: LargeBodyGate;
}

/**
 * The body as chunks (a large one of known size as one buffer of its own, see above). `release`
 * frees the large-body slot, if one was taken; call it once the reply is sent. A body over the limit
 * is drained, not read, so that the caller still gets its 413.
 */
export async function readBody(req: IncomingMessage, o: ReadBodyOptions): Promise<{ chunks: Buffer[]; size: number; release: () => void }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > o.limit) {
    req.resume();
    throw new BodyTooLarge(o.limit);
  }
  const large = Number.isFinite(declared) && declared > o.largeAbove;
  let release = large ? await o.gate.acquire() : undefined;
  const chunks: Buffer[] = [];
  // A large body of known size is gathered into one buffer it owns alone, a chunk at a time, so that
  // it can be handed to the parse worker without a copy (a structured clone of 50 MB of chunks costs
  // the main thread ~200 ms).
  const whole = large ? Buffer.allocUnsafeSlow(declared) : undefined;
  let size = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > o.limit) {
          req.off('data', onData);
          req.resume();
          reject(new BodyTooLarge(o.limit));
          return;
        }
        if (whole) chunk.copy(whole, size - chunk.length);
        else chunks.push(chunk);
        if (size > o.largeAbove && !release) {
          // a chunked body (no content-length) takes its slot once it turns out large
          req.pause();
          o.gate.acquire().then((r) => {
            release = r;
            req.resume();
          }, (err: unknown) => {
            req.off('data', onData);
            req.resume();
            reject(err);
          });
        }
      };
      req.on('data', onData);
      req.once('end', () => resolve());
      req.once('error', reject);
    });
  } catch (err) {
    release?.();
    throw err;
  }
  return { chunks: whole ? [whole.subarray(0, size)] : chunks, size, release: release ?? (() => {}) };
}
