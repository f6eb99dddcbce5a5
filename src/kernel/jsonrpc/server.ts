import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../logging.js';
import { RpcError, RpcErrorCode } from './errors.js';
import { rpcMethodName, type MethodSchema, type MethodSchemas, type RpcHandlers } from './schema.js';

export interface JsonRpcServerOptions {
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Largest number of calls in one batch. */
  maxBatchSize?: number;
  logger: Logger;
}

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
  method: z.string().min(1),
  params: z.array(z.unknown()).optional(),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
});

/**
 * JSON-RPC 2.0 over HTTP POST: namespaced methods (`namespace_method`) whose params and results
 * are validated and decoded by zod schemas. A bad request of any kind gets a JSON-RPC error; no
 * input can crash the process.
 */
export class JsonRpcServer {
  private readonly methods = new Map<string, Registered>();
  private readonly token: Buffer | undefined;

  constructor(private readonly options: JsonRpcServerOptions) {
    this.token = options.authToken ? Buffer.from(options.authToken) : undefined;
  }

  /** Adds a namespace; with `authToken`, its methods answer only callers presenting that bearer token. */
  register<S extends MethodSchemas>(namespace: string, schemas: S, handlers: RpcHandlers<S>, options: { authToken?: string } = {}): void {
    const token = options.authToken ? Buffer.from(options.authToken) : undefined;
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

  /** Node http handler for a POST carrying a JSON-RPC request or batch. */
  async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const presented = bearerToken(req);
    if (!matches(this.token, presented)) {
      return send(res, 401, errorResponse(null, RpcErrorCode.Unauthorized, 'missing or wrong bearer token: send "Authorization: Bearer <token>" with the token the server was started with'));
    }
    let body: string;
    try {
      body = await readBody(req, this.options.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        return send(res, 413, errorResponse(null, RpcErrorCode.PayloadTooLarge, `request body exceeds ${this.options.maxBodyBytes} bytes`));
      }
      return send(res, 400, errorResponse(null, RpcErrorCode.ParseError, 'could not read the request body'));
    }
    const reply = await this.handleBody(body, presented);
    if (reply === undefined) {
      res.statusCode = 204;
      res.end();
      return;
    }
    send(res, 200, reply);
  }

  /** Answers one request body; undefined when it held only notifications. */
  async handleBody(body: string, presentedToken?: Buffer): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return errorResponse(null, RpcErrorCode.ParseError, 'request body is not valid JSON');
    }
    if (!Array.isArray(parsed)) return this.handleOne(parsed, presentedToken);
    if (parsed.length === 0) return errorResponse(null, RpcErrorCode.InvalidRequest, 'empty batch');
    const max = this.options.maxBatchSize ?? 1000;
    if (parsed.length > max) return errorResponse(null, RpcErrorCode.InvalidRequest, `batch of ${parsed.length} calls exceeds the limit of ${max}`);
    const replies = await Promise.all(parsed.map((call) => this.handleOne(call, presentedToken)));
    const present = replies.filter((r): r is JsonRpcResponse => r !== undefined);
    return present.length ? present : undefined;
  }

  private async handleOne(call: unknown, presentedToken: Buffer | undefined): Promise<JsonRpcResponse | undefined> {
    const shape = requestShape.safeParse(call);
    if (!shape.success) {
      const id = idOf(call);
      return errorResponse(id, RpcErrorCode.InvalidRequest, `invalid JSON-RPC 2.0 request: ${describeIssues(shape.error)}`);
    }
    const { method, params = [], id } = shape.data;
    const isNotification = id === undefined;
    const reply = await this.invoke(method, params, id ?? null, presentedToken);
    return isNotification ? undefined : reply;
  }

  private async invoke(method: string, params: unknown[], id: JsonRpcId, presentedToken: Buffer | undefined): Promise<JsonRpcResponse> {
    const entry = this.methods.get(method);
    if (!entry) {
      return errorResponse(id, RpcErrorCode.MethodNotFound, `unknown method "${method}"`);
    }
    if (!matches(entry.token, presentedToken)) {
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
      this.options.logger.error({ err, method }, 'JSON-RPC handler failed');
      return errorResponse(id, RpcErrorCode.InternalError, `${method} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

}

function bearerToken(req: IncomingMessage): Buffer | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? Buffer.from(header.slice(7)) : undefined;
}

/** Constant-time comparison; no expected token means anyone may call. */
function matches(expected: Buffer | undefined, presented: Buffer | undefined): boolean {
  if (!expected) return true;
  return presented !== undefined && presented.length === expected.length && timingSafeEqual(presented, expected);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return reject(new BodyTooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function errorResponse(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

function idOf(call: unknown): JsonRpcId {
  const id = (call as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
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
