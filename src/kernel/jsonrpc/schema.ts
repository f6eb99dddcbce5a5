import type { z } from 'zod';

/** One method: positional params as a zod tuple and a result type. */
export interface MethodSchema {
  params: z.ZodTuple;
  result: z.ZodType;
}

export type MethodSchemas = Record<string, MethodSchema>;

/** The native (decoded) signature of every method of a namespace: what handlers implement and clients call. */
export type RpcApi<S extends MethodSchemas> = {
  [K in keyof S]: (...args: z.output<S[K]['params']>) => Promise<z.output<S[K]['result']>>;
};

/** Handlers may answer synchronously. */
export type RpcHandlers<S extends MethodSchemas> = {
  [K in keyof S]: (...args: z.output<S[K]['params']>) => Promise<z.output<S[K]['result']>> | z.output<S[K]['result']>;
};

export function rpcMethodName(namespace: string, method: string): string {
  return `${namespace}_${method}`;
}
