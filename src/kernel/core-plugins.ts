import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseLevelSpec } from './logging.js';
import { LOG_FILE_NAME, type RotatingLogFileOptions } from './log-file.js';
import { option, type OptionValues } from './options.js';
import { coreChecks } from './core-checks.js';
import { definePlugin } from './plugin.js';

const coreOptions = {
  port: option.int({ description: 'Port of the HTTP server (JSON-RPC on POST /, /metrics, /health, /ready); 0 picks a free port', env: 'QUETZAL_PORT', default: 8080, min: 0, max: 65535 }),
  host: option.string({ description: 'Address the HTTP server binds; use 0.0.0.0 to serve agents on other machines', env: 'QUETZAL_HOST', default: '127.0.0.1' }),
  dataDir: option.string({ description: 'Directory for every persistent store (world state, broker, archiver, CRS cache)', env: 'DATA_DIRECTORY', default: join(homedir(), '.quetzal') }),
  network: option.string({ description: 'Network preset to start from (config/<network>.json)', env: 'QUETZAL_NETWORK', default: 'local' }),
  config: option.string({ description: 'JSON config file; flags and env override it, it overrides the network preset', env: 'QUETZAL_CONFIG' }),
  logLevel: option.custom(
    z
      .string()
      .min(1)
      .superRefine((spec, ctx) => {
        try {
          parseLevelSpec(spec);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^LOG_LEVEL: /, '') });
        }
      })
      .default('info'),
    { description: 'Log levels: a default, then level:module,module groups, e.g. "info;debug:prover-broker"', env: 'LOG_LEVEL' },
  ),
  logFileMaxMb: option.int({ description: 'Size at which the log file in <data-dir>/logs rotates, in MB; 0 writes no log file', env: 'QUETZAL_LOG_FILE_MAX_MB', default: 10, min: 0 }),
  logFileCount: option.int({ description: 'Log files kept in <data-dir>/logs (the current one included)', env: 'QUETZAL_LOG_FILE_COUNT', default: 5, min: 1, max: 100 }),
  stopTimeoutMs: option.int({ description: 'How long the plugins get to stop on SIGINT/SIGTERM before the process exits anyway', env: 'QUETZAL_STOP_TIMEOUT_MS', default: 10_000, min: 100 }),
};
export type CoreConfig = OptionValues<typeof coreOptions>;

/** Where the node's rotating log file lives (written by `start`, read by `doctor --bundle`). */
export function logDir(core: Pick<CoreConfig, 'dataDir'>): string {
  return join(core.dataDir, 'logs');
}

export function logFileOptions(core: CoreConfig): RotatingLogFileOptions | undefined {
  return core.logFileMaxMb > 0 ? { path: join(logDir(core), LOG_FILE_NAME), maxBytes: core.logFileMaxMb * 1024 * 1024, maxFiles: core.logFileCount } : undefined;
}

/** Global options: `--port`, `--data-dir`, ... (no prefix). */
export const corePlugin = definePlugin({
  name: 'core',
  description: 'Process-wide options',
  unprefixed: true,
  options: coreOptions,
  checks: coreChecks,
});

const l1Options = {
  rpcUrls: option.list({ description: 'L1 JSON-RPC URLs, comma-separated (the first is used; others are fallbacks)', env: 'L1_RPC_URLS', aliases: ['l1-rpc-urls'] }),
  chainId: option.int({ description: 'L1 chain id', env: 'L1_CHAIN_ID', default: 31337, min: 1 }),
  deployment: option.string({ description: 'Deployment file written by `quetzal l1 deploy` (contract addresses)', env: 'L1_DEPLOYMENT' }),
};
export type L1Config = OptionValues<typeof l1Options>;

/** Where L1 is: shared by every role that reads or writes it (`reads: ['l1']`). */
export const l1Plugin = definePlugin({
  name: 'l1',
  description: 'L1 (Ethereum) connection',
  options: l1Options,
});

export const KERNEL_PLUGINS = [corePlugin, l1Plugin];
