import type { Registry } from 'prom-client';
import type { JsonRpcServer } from './jsonrpc/server.js';
import type { Logger } from './logging.js';
import { defineToken } from './tokens.js';

/** What the kernel itself puts in every container, for services that inject it. */
export const KernelTokens = {
  Metrics: defineToken<Registry>('Metrics', 'provided by the kernel'),
  Rpc: defineToken<JsonRpcServer>('JsonRpcServer', 'provided by the kernel'),
  Logging: defineToken<{ root: Logger; forModule(module: string): Logger }>('Logging', 'provided by the kernel'),
};
