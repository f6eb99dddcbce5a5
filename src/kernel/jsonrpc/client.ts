import { z } from 'zod';
import { remoteError, RpcTransportError } from './errors.js';
import { HttpStatusError, JsonRpcHttpTransport } from './http-transport.js';
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
  /** Bearer token (ignored when a transport is given: the transport carries its own). */
  authToken?: string;
  /**
   * Calls made in the same event-loop turn share one HTTP request (a JSON-RPC batch), which saves
   * CPU on both sides; a call in a batch waits for the slowest of the batch. Default false.
   */
  batch?: boolean;
}

/**
 * A typed client for one namespace of a JSON-RPC server: each method encodes its params with the
 * schema, posts them, and decodes the result, so callers see the same types as the handlers.
 * `target` is the server's URL, or a transport shared with other clients of the same server (one
 * pool of keep-alive connections).
 */
export function createJsonRpcClient<S extends MethodSchemas>(target: string | JsonRpcHttpTransport, namespace: string, schemas: S, options: JsonRpcClientOptions = {}): RpcApi<S> {
  const { timeoutMs = 30_000, retries = 2, retryDelayMs = 200, batch = false } = options;
  const transport = typeof target === 'string' ? new JsonRpcHttpTransport(target, { authToken: options.authToken, batch }) : target;

  async function call(method: string, params: unknown[]): Promise<unknown> {
    const name = rpcMethodName(namespace, method);
    const schema = schemas[method]!;
    const wire = z.encode(schema.params, params as never);
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
      let reply;
      try {
        reply = await transport.call(name, wire, timeoutMs, batch);
      } catch (err) {
        // an HTTP error that is not JSON-RPC: a 4xx will answer the same again, a 5xx may not
        if (err instanceof HttpStatusError && err.status < 500) throw new RpcTransportError(`${name}: ${err.message}`);
        lastError = err;
        continue;
      }
      if (reply.error) throw remoteError(name, reply.error);
      const decoded = z.safeDecode(schema.result, reply.result as never);
      if (!decoded.success) throw new RpcTransportError(`${name}: ${transport.url} returned a result that does not match the schema: ${decoded.error.message}`);
      return decoded.data;
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new RpcTransportError(`${name}: no answer from ${transport.url} after ${retries + 1} attempt(s): ${reason}`, { cause: lastError });
  }

  const client: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of Object.keys(schemas)) client[method] = (...args) => call(method, args);
  return client as RpcApi<S>;
}
