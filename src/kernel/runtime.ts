// Which JavaScript runtime runs this process. Node is the main one; the prover agent and its
// workers also run under Deno (DESIGN §6c), where a few things differ (workers, environment).

declare const Deno: { version: { deno: string } } | undefined;

export type RuntimeName = 'node' | 'deno';

export const RUNTIME: RuntimeName = typeof Deno !== 'undefined' ? 'deno' : 'node';

/** "node 20.20.2" or "deno 2.9.6", for logs and metrics. */
export const RUNTIME_VERSION = RUNTIME === 'deno' ? `deno ${Deno!.version.deno}` : `node ${process.versions.node}`;
