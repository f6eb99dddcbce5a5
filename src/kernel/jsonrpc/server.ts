import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Logger } from '../logging.js';
import { nextTurn } from '../turns.js';
import { BodyTooLarge, LargeBodyGate, readBody, ServerBusy } from './body.js';
import { RpcError, RpcErrorCode } from './errors.js';
import { OffThreadJsonParser, type ParsedBody } from './large-json.js';
import { rpcMethodName, type MethodSchema, type MethodSchemas, type RpcHandlers } from './schema.js';

export interface JsonRpcServerOptions {
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /**
   * Largest body of a caller that presents no token while some namespace requires one (default
   * 1 MiB): only callers with a valid token may make the server read large bodies.
   */
  maxAnonymousBodyBytes?: number;
  /** Large bodies (over 1 MiB) read and handled at once (default 4); a few more wait, the rest get 503. */
  maxConcurrentLargeBodies?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Largest number of calls in one batch. */
  maxBatchSize?: number;
  logger: Logger;
  /** Where refused calls are counted (`quetzal_jsonrpc_refused_total`). */
  metrics?: Registry;
  /** Called with every unexpected handler error (after it is logged), e.g. to stop on a full disk. */
  onInternalError?: (err: unknown) => void;
}

/** Bodies above this are gated and parsed off the main thread. */
const LARGE_BODY_BYTES = 1024 * 1024;
/** What an error message may quote of the caller's input. */
const ECHO_CHARS = 64;
/** The longest error message sent back (zod may list several issues). */
const MAX_MESSAGE_CHARS = 1024;
/** A batch runs in slices of about this many ms with a turn of the event loop between: one batch cannot stall the process. */
const BATCH_SLICE_MS = 10;
/** One log line per this period about refused calls, with the count since the last one. */
const REFUSAL_LOG_MS = 30_000;

interface Registered {
  schema: MethodSchema;
  handler: (...args: unknown[]) => unknown;
  /** A namespace's own bearer token, on top of the server-wide one. */
  token?: Buffer;
}

type JsonRpcId = string | number | null;
interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const requestShape = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1).max(256),
  params: z.array(z.unknown()).optional(),
  id: z.union([z.string().max(256), z.number(), z.null()]).optional(),
});

type Refusal = 'missing token' | 'wrong token';

/**
 * JSON-RPC 2.0 over HTTP POST: namespaced methods (`namespace_method`) whose params and results
 * are validated and decoded by zod schemas. A bad request of any kind gets a JSON-RPC error; no
 * input can crash the process.
 */
export class JsonRpcServer {
  private readonly methods = new Map<string, Registered>();
  private readonly token: Buffer | undefined;
  /** Every namespace token, to refuse a wrong one before reading the body. */
  private readonly namespaceTokens: Buffer[] = [];
  private readonly gate: LargeBodyGate;
  private readonly parser: OffThreadJsonParser;
  private readonly refusedTotal: Counter<'reason'> | undefined;
  private refusedSinceLog = 0;
  private lastRefusalLog = 0;

  constructor(private readonly options: JsonRpcServerOptions) {
    this.token = options.authToken ? Buffer.from(options.authToken) : undefined;
    const maxLarge = options.maxConcurrentLargeBodies ?? 4;
    this.gate = new LargeBodyGate(maxLarge, maxLarge * 4);
    this.parser = new OffThreadJsonParser(options.logger);
    this.refusedTotal = options.metrics
      ? new Counter({ name: 'quetzal_jsonrpc_refused_total', help: 'JSON-RPC calls refused for a missing or wrong bearer token', labelNames: ['reason'], registers: [options.metrics] })
      : undefined;
  }

  /** Stops the parse worker, if one started. */
  close(): Promise<void> {
    return this.parser.close();
  }

  /** Adds a namespace; with `authToken`, its methods answer only callers presenting that bearer token. */
  register<S extends MethodSchemas>(namespace: string, schemas: S, handlers: RpcHandlers<S>, options: { authToken?: string } = {}): void {
    const token = options.authToken ? Buffer.from(options.authToken) : undefined;
    if (token) this.namespaceTokens.push(token);
    for (const [method, schema] of Object.entries(schemas)) {
      const name = rpcMethodName(namespace, method);
      if (this.methods.has(name)) throw new Error(`JSON-RPC method ${name} is registered twice`);
      const handler = handlers[method as keyof S] as unknown as (...args: unknown[]) => unknown;
      if (typeof handler !== 'function') throw new Error(`JSON-RPC method ${name} has no handler`);
      this.methods.set(name, { schema, handler: handler.bind(handlers), token });
    }
  }

  methodNames(): string[] {
    return [...this.methods.keys()];
  }

  /**
   * Node http handler for a POST carrying a JSON-RPC request or batch. The token is checked before
   * the body is read: a wrong token is refused at once, and a caller without one may only send a
   * small body when some namespace is protected.
   */
  async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const presented = bearerToken(req);
    const refusal = this.refusal(presented);
    if (refusal) {
      this.refused(refusal, req);
      res.setHeader('connection', 'close');
      return send(res, 401, errorResponse(null, RpcErrorCode.Unauthorized, 'missing or wrong bearer token: send "Authorization: Bearer <token>" with the token the server was started with'));
    }
    const anonymous = presented === undefined && this.namespaceTokens.length > 0;
    const limit = anonymous ? Math.min(this.options.maxBodyBytes, this.options.maxAnonymousBodyBytes ?? LARGE_BODY_BYTES) : this.options.maxBodyBytes;
    let body: Awaited<ReturnType<typeof readBody>>;
    try {
      body = await readBody(req, { limit, largeAbove: LARGE_BODY_BYTES, gate: this.gate });
    } catch (err) {
      res.setHeader('connection', 'close');
      if (err instanceof BodyTooLarge) {
        const hint = anonymous && limit < this.options.maxBodyBytes ? ' for a caller without a bearer token' : '';
        return send(res, 413, errorResponse(null, RpcErrorCode.PayloadTooLarge, `request body exceeds ${limit} bytes${hint}`));
      }
      if (err instanceof ServerBusy) {
        res.setHeader('retry-after', '1');
        return send(res, 503, errorResponse(null, RpcErrorCode.ServerBusy, 'server busy: too many large requests at once; retry shortly'));
      }
      return send(res, 400, errorResponse(null, RpcErrorCode.ParseError, 'could not read the request body'));
    }
    try {
      const parsed = body.size > LARGE_BODY_BYTES ? await this.parser.parse(body.chunks) : parseSmall(body.chunks);
      const reply = parsed.ok
        ? await this.handleParsed(parsed.value, presented, req)
        : parsed.invalid
          ? errorResponse(null, RpcErrorCode.InvalidRequest, `invalid request: ${parsed.invalid}`)
          : errorResponse(null, RpcErrorCode.ParseError, 'request body is not valid JSON');
      if (reply === undefined) {
        res.statusCode = 204;
        res.end();
        return;
      }
      send(res, 200, reply);
    } finally {
      body.release();
    }
  }

  /** Answers one request body; undefined when it held only notifications. */
  async handleBody(body: string, presentedToken?: Buffer): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    const parsed = parseSmall([Buffer.from(body)]);
    return parsed.ok ? this.handleParsed(parsed.value, presentedToken) : errorResponse(null, RpcErrorCode.ParseError, 'request body is not valid JSON');
  }

  private async handleParsed(parsed: unknown, presentedToken: Buffer | undefined, req?: IncomingMessage): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    if (!Array.isArray(parsed)) return this.handleOne(parsed, presentedToken, req);
    if (parsed.length === 0) return errorResponse(null, RpcErrorCode.InvalidRequest, 'empty batch');
    const max = this.options.maxBatchSize ?? 1000;
    if (parsed.length > max) return errorResponse(null, RpcErrorCode.InvalidRequest, `batch of ${parsed.length} calls exceeds the limit of ${max}`);
    // The calls run concurrently (a store batches the writes of one turn), a slice at a time with a
    // turn of the event loop between: a batch of costly calls must not stall the process. Most of a
    // call's work runs in its continuations, after the loop that starts it, so a slice is sized by
    // what the last one took with them, not by the time to start it.
    const pending: Promise<JsonRpcResponse | undefined>[] = [];
    let perSlice = 4;
    for (let i = 0; i < parsed.length; ) {
      const started = performance.now();
      for (const end = Math.min(parsed.length, i + perSlice); i < end; i++) pending.push(this.handleOne(parsed[i], presentedToken, req));
      await nextTurn();
      const took = performance.now() - started;
      perSlice = Math.max(1, Math.min(2 * perSlice, Math.floor((perSlice * BATCH_SLICE_MS) / Math.max(took, 0.01))));
    }
    const replies = await Promise.all(pending);
    const present = replies.filter((r): r is JsonRpcResponse => r !== undefined);
    return present.length ? present : undefined;
  }

  private async handleOne(call: unknown, presentedToken: Buffer | undefined, req?: IncomingMessage): Promise<JsonRpcResponse | undefined> {
    const shape = requestShape.safeParse(call);
    if (!shape.success) {
      const id = idOf(call);
      return errorResponse(id, RpcErrorCode.InvalidRequest, `invalid JSON-RPC 2.0 request: ${describeIssues(shape.error)}`);
    }
    const { method, params = [], id } = shape.data;
    const isNotification = id === undefined;
    const reply = await this.invoke(method, params, id ?? null, presentedToken, req);
    return isNotification ? undefined : reply;
  }

  private async invoke(method: string, params: unknown[], id: JsonRpcId, presentedToken: Buffer | undefined, req?: IncomingMessage): Promise<JsonRpcResponse> {
    const entry = this.methods.get(method);
    if (!entry) {
      return errorResponse(id, RpcErrorCode.MethodNotFound, `unknown method "${clip(method)}"`);
    }
    if (!matches(entry.token, presentedToken)) {
      this.refused(presentedToken ? 'wrong token' : 'missing token', req, method);
      return errorResponse(id, RpcErrorCode.Unauthorized, `${method}: missing or wrong bearer token; send "Authorization: Bearer <token>" with this service's token`);
    }
    const decoded = z.safeDecode(entry.schema.params, params as never);
    if (!decoded.success) {
      return errorResponse(id, RpcErrorCode.InvalidParams, `invalid params for ${method}: ${describeIssues(decoded.error, 'params')}`);
    }
    try {
      const value = await entry.handler(...(decoded.data as unknown[]));
      return { jsonrpc: '2.0', id, result: z.encode(entry.schema.result, value as never) ?? null };
    } catch (err) {
      if (err instanceof RpcError) return errorResponse(id, err.code, err.message, err.data);
      // The raw message may carry paths, URLs or internals: it goes to the log, the caller gets a reference to it.
      const ref = randomBytes(4).toString('hex');
      this.options.logger.error({ err, method, ref }, 'JSON-RPC handler failed');
      this.options.onInternalError?.(err);
      return errorResponse(id, RpcErrorCode.InternalError, `${method} failed with an internal error (logged by the server as ref ${ref})`);
    }
  }

  /** Why a request is refused before its body is read, if it is. */
  private refusal(presented: Buffer | undefined): Refusal | undefined {
    if (this.token) return matches(this.token, presented) ? undefined : presented ? 'wrong token' : 'missing token';
    if (presented && this.namespaceTokens.length > 0 && !this.namespaceTokens.some((t) => matches(t, presented))) return 'wrong token';
    return undefined;
  }

  /** Counts a refused call, and logs the refusals (never the token) at most once per period. */
  private refused(reason: Refusal, req?: IncomingMessage, method?: string): void {
    this.refusedTotal?.inc({ reason });
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.lastRefusalLog < REFUSAL_LOG_MS) return;
    this.options.logger.warn(
      { reason, method, remote: req?.socket.remoteAddress, refused: this.refusedSinceLog },
      'refused JSON-RPC calls with a missing or wrong bearer token (the caller needs the token this server was started with)',
    );
    this.lastRefusalLog = now;
    this.refusedSinceLog = 0;
  }
}

/** The bearer token of `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC 7235). */
function bearerToken(req: IncomingMessage): Buffer | undefined {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
  return match ? Buffer.from(match[1]!) : undefined;
}

/** Constant-time comparison; no expected token means anyone may call. */
function matches(expected: Buffer | undefined, presented: Buffer | undefined): boolean {
  if (!expected) return true;
  return presented !== undefined && presented.length === expected.length && timingSafeEqual(presented, expected);
}

function parseSmall(chunks: Buffer[]): ParsedBody {
  try {
    return { ok: true, value: JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** A short prefix of caller input, for error messages. */
function clip(s: string): string {
  return s.length <= ECHO_CHARS ? s : `${s.slice(0, ECHO_CHARS)}... (${s.length} chars)`;
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function errorResponse(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse {
  const m = message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS)}...`;
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message: m } : { code, message: m, data } };
}

function idOf(call: unknown): JsonRpcId {
  const id = (call as { id?: unknown } | null)?.id;
  return (typeof id === 'string' && id.length <= 256) || typeof id === 'number' ? id : null;
}

/** zod issues as `params[0].epoch: expected number, received string; ...`. */
export function describeIssues(error: z.ZodError, root = ''): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), root);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
