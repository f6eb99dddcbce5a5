/**
 * JSON-RPC over node:http with keep-alive connections: the one transport every client uses.
 * Measured against fetch (bench/jsonrpc.ts), fetch's per-request machinery (web streams, abort
 * signals, a fresh connection under load) costs several times the CPU per call of a plain
 * node:http request on a kept-alive socket. Optionally, calls made in the same event-loop turn
 * share one HTTP request as a JSON-RPC batch (an agent's slots, a producer enqueueing a block's
 * jobs); large calls and calls that must not wait for others travel alone.
 */
import { Agent, request, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RpcErrorCode } from './errors.js';

export type JsonRpcReply = { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

export interface JsonRpcHttpTransportOptions {
  authToken?: string;
  /** Let calls marked batchable share one HTTP request when made in the same event-loop turn (default false). */
  batch?: boolean;
}

interface PendingCall {
  id: number;
  json: string;
  timeoutMs: number;
  resolve(reply: JsonRpcReply): void;
  reject(err: unknown): void;
}

/** Calls queued in the same event-loop turn go out as one JSON-RPC batch, up to these limits. */
const BATCH_MAX_CALLS = 256;
const BATCH_MAX_BYTES = 1024 * 1024;

/** The server answered with an HTTP status and a body that is not JSON-RPC. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** The URL as it may appear in errors and logs: no credentials, no query (API keys live there). */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

export class JsonRpcHttpTransport {
  /** The server's URL without credentials or query, for messages. */
  readonly url: string;
  private readonly agent: Agent;
  private readonly request: typeof request;
  private readonly target: RequestOptions;
  private readonly headers: Record<string, string>;
  private readonly batching: boolean;
  private nextId = 1;
  private pending: PendingCall[] = [];
  private scheduled = false;

  constructor(url: string, options: JsonRpcHttpTransportOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`"${url.replace(/\/\/[^@/]*@/, '//')}" is not a URL: use http://host:port or https://host:port`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`JSON-RPC URL ${displayUrl(parsed)}: use http:// or https://`);
    this.url = displayUrl(parsed);
    const tls = parsed.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 };
    this.agent = tls ? new HttpsAgent(agentOptions) : new Agent(agentOptions);
    this.request = (tls ? httpsRequest : request) as typeof request;
    this.target = {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port || (tls ? 443 : 80),
      path: parsed.pathname + parsed.search,
      method: 'POST',
      agent: this.agent,
    };
    this.headers = { 'content-type': 'application/json' };
    if (options.authToken) this.headers.authorization = `Bearer ${options.authToken}`;
    this.batching = options.batch ?? false;
  }

  /** Closes idle keep-alive connections (idle ones never keep the process alive). */
  close(): void {
    this.agent.destroy();
  }

  /** Resolves with the call's JSON-RPC reply; rejects on transport failure (no answer, HTTP error without JSON-RPC). */
  call(method: string, params: unknown, timeoutMs: number, batchable: boolean): Promise<JsonRpcReply> {
    const id = this.nextId++;
    const json = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    if (!this.batching || !batchable || json.length > BATCH_MAX_BYTES / 4) return this.send(json, timeoutMs, method) as Promise<JsonRpcReply>;
    return new Promise((resolve, reject) => {
      this.pending.push({ id, json, timeoutMs, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const calls = this.pending;
    this.pending = [];
    let chunk: PendingCall[] = [];
    let bytes = 0;
    for (const call of calls) {
      if (chunk.length >= BATCH_MAX_CALLS || (chunk.length > 0 && bytes + call.json.length > BATCH_MAX_BYTES)) {
        this.sendBatch(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(call);
      bytes += call.json.length + 1;
    }
    if (chunk.length > 0) this.sendBatch(chunk);
  };

  private sendBatch(calls: PendingCall[]): void {
    if (calls.length === 1) {
      const [c] = calls as [PendingCall];
      this.send(c.json, c.timeoutMs, 'call').then((r) => c.resolve(r as JsonRpcReply), c.reject);
      return;
    }
    const timeoutMs = Math.max(...calls.map((c) => c.timeoutMs));
    this.send(`[${calls.map((c) => c.json).join(',')}]`, timeoutMs, 'batch').then(
      (replies) => {
        if (!Array.isArray(replies)) {
          const reply = replies as JsonRpcReply;
          if (reply?.error?.code === RpcErrorCode.PayloadTooLarge) {
            // the batch is over the server's body limit, maybe not each call: send them one by one
            for (const c of calls) this.sendBatch([c]);
            return;
          }
          // one error for the whole request (auth, parse): it answers every call
          for (const c of calls) c.resolve(reply);
          return;
        }
        const byId = new Map<unknown, JsonRpcReply>();
        for (const r of replies as JsonRpcReply[]) byId.set(r?.id, r);
        for (const c of calls) {
          const reply = byId.get(c.id);
          if (reply) c.resolve(reply);
          else c.reject(new Error(`${this.url} sent no reply for call ${c.id} of a batch`));
        }
      },
      (err) => {
        for (const c of calls) c.reject(err);
      },
    );
  }

  /** One POST; resolves with the parsed JSON body, rejects on transport failure or after `timeoutMs`. */
  private send(body: string, timeoutMs: number, what: string): Promise<unknown> {
    const payload = Buffer.from(body);
    return new Promise((resolve, reject) => {
      const req = this.request({ ...this.target, headers: { ...this.headers, 'content-length': payload.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new HttpStatusError(res.statusCode ?? 0, `${what}: ${this.url} answered HTTP ${res.statusCode} with a body that is not JSON-RPC`));
          }
        });
      });
      // a deadline for the whole exchange (a socket timeout would only bound the silences)
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(payload);
    });
  }
}
