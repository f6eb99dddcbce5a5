import { z } from 'zod';
import { remoteError, RpcTransportError } from './errors.js';
import { rpcMethodName, type MethodSchemas, type RpcApi } from './schema.js';

export interface JsonRpcClientOptions {
  /** Time allowed for one attempt, in ms. */
  timeoutMs?: number;
  /**
   * Further attempts after a transport failure (no answer). Server-side JSON-RPC errors are never
   * retried. Only use retries for idempotent methods.
   */
  retries?: number;
  /** Delay before the first retry; doubles each time. */
  retryDelayMs?: number;
  authToken?: string;
}

let nextId = 1;

/**
 * A typed client for one namespace of a JSON-RPC server: each method encodes its params with the
 * schema, posts them, and decodes the result, so callers see the same types as the handlers.
 */
export function createJsonRpcClient<S extends MethodSchemas>(url: string, namespace: string, schemas: S, options: JsonRpcClientOptions = {}): RpcApi<S> {
  const { timeoutMs = 30_000, retries = 2, retryDelayMs = 200, authToken } = options;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authToken) headers.authorization = `Bearer ${authToken}`;

  async function call(method: string, params: unknown[]): Promise<unknown> {
    const name = rpcMethodName(namespace, method);
    const schema = schemas[method]!;
    const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: name, params: z.encode(schema.params, params as never) });
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        lastError = err;
        continue;
      }
      const text = await response.text();
      let payload: { result?: unknown; error?: { code: number; message: string; data?: unknown } };
      try {
        payload = JSON.parse(text);
      } catch {
        if (response.status >= 500) {
          lastError = new Error(`HTTP ${response.status}`);
          continue;
        }
        throw new RpcTransportError(`${name}: ${url} answered HTTP ${response.status} with a body that is not JSON-RPC`);
      }
      if (payload.error) throw remoteError(name, payload.error);
      const decoded = z.safeDecode(schema.result, payload.result as never);
      if (!decoded.success) throw new RpcTransportError(`${name}: ${url} returned a result that does not match the schema: ${decoded.error.message}`);
      return decoded.data;
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new RpcTransportError(`${name}: no answer from ${url} after ${retries + 1} attempt(s): ${reason}`, { cause: lastError });
  }

  const client: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of Object.keys(schemas)) client[method] = (...args) => call(method, args);
  return client as RpcApi<S>;
}
