/** JSON-RPC 2.0 error codes; the -32000 range is ours. */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  Unauthorized: -32001,
  PayloadTooLarge: -32002,
  /** Too many large requests at once: retry shortly (HTTP 503). */
  ServerBusy: -32003,
  /** An error the method itself raised on purpose (bad state, not found, ...). */
  ApplicationError: -32010,
} as const;

/**
 * An error a method handler throws to answer the caller with a specific code and message (the
 * message crosses the wire, so it must never hold a secret). Any other thrown error becomes an
 * internal error.
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** What a client throws when the server answered with a JSON-RPC error. */
export class RpcRemoteError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly remoteMessage: string,
    readonly data?: unknown,
  ) {
    super(`${method}: ${remoteMessage} (JSON-RPC error ${code})`);
    this.name = 'RpcRemoteError';
  }
}

/**
 * The server refused the caller's bearer token (missing or wrong). Retrying cannot help until the
 * operator fixes the token, so callers report it as refused, not as an outage.
 */
export class RpcUnauthorizedError extends RpcRemoteError {
  constructor(method: string, remoteMessage: string) {
    super(method, RpcErrorCode.Unauthorized, remoteMessage);
    this.name = 'RpcUnauthorizedError';
  }
}

/** The error a client throws for a JSON-RPC error reply. */
export function remoteError(method: string, error: { code: number; message: string; data?: unknown }): RpcRemoteError {
  return error.code === RpcErrorCode.Unauthorized ? new RpcUnauthorizedError(method, error.message) : new RpcRemoteError(method, error.code, error.message, error.data);
}

/** What a client throws when no answer came back (connection refused, timeout, HTTP failure). */
export class RpcTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RpcTransportError';
  }
}
