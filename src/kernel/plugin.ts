import type { InjectionToken } from 'tsyringe';
import type { Registry } from 'prom-client';
import type { Logger } from './logging.js';
import type { JsonRpcServer } from './jsonrpc/server.js';
import type { OptionDefs, OptionValues } from './options.js';
import type { Token } from './tokens.js';
import type { CoreConfig, L1Config } from './core-plugins.js';
import type { Redactor } from './redaction.js';
import type { CheckContext, DoctorCheck } from './doctor.js';

/**
 * How a plugin came to run:
 * - `role`: its role flag is on (`--archiver`);
 * - `client`: its role is off but its config points at a remote instance (`--archiver.url`), so it
 *   provides the same tokens through a JSON-RPC client;
 * - `dependency`: it has no role and runs because an active plugin requires what it provides.
 */
export type ActivationMode = 'role' | 'client' | 'dependency';

/**
 * Every plugin's resolved options, by config key. A plugin whose options another plugin reads adds
 * its section here by module augmentation (as Hardhat 3 plugins extend its config types):
 *
 *     declare module '@quetzal/kernel/plugin' {
 *       interface PluginConfigs { proverAgent: ProverAgentConfig }
 *     }
 *
 * and the reader declares it in `reads`; `ctx.configOf('proverAgent')` is then typed.
 */
export interface PluginConfigs {
  core: CoreConfig;
  l1: L1Config;
}

/** What a plugin declares: a plain object, read by the kernel and the CLI. */
export interface PluginDeclaration<O extends OptionDefs = OptionDefs> {
  /** kebab-case; the role flag and the prefix of every option flag (`--prover-agent.count`). */
  name: string;
  description: string;
  /** Present when the plugin is a role that the operator switches on with `--<name>`. */
  role?: { description: string };
  /** Options without the `<name>.` prefix (only the kernel's core group uses this). */
  unprefixed?: boolean;
  options?: O;
  /** Tokens this plugin puts in the container when it runs (a function when that depends on its config). */
  provides?: Token<unknown>[] | { fromConfig(config: OptionValues<O>): Token<unknown>[] };
  /** Tokens it needs; the kernel starts their providers first (a function when that depends on its config, e.g. none in client mode). */
  requires?: Token<unknown>[] | { fromConfig(config: OptionValues<O>): Token<unknown>[] };
  /**
   * Tokens it uses when something in the process provides them (`ctx.resolveOptional`); their
   * providers start first, but are not pulled in for it.
   */
  uses?: Token<unknown>[] | { fromConfig(config: OptionValues<O>): Token<unknown>[] };
  /** Other plugins' option sections it reads (`ctx.configOf`). */
  reads?: (keyof PluginConfigs)[];
  /** Tokens it reaches in another process over JSON-RPC (its client mode, `--<role>.*-url` options), for `start --plan`. */
  remotes?(config: OptionValues<O>): { token: Token<unknown>; url: string }[];
  /** For a role: whether its config selects client mode when the role itself is off. */
  clientMode?(config: OptionValues<O>): boolean;
  start?(ctx: PluginContext<OptionValues<O>>): Promise<RunningPlugin | void>;
  /** What `quetzal doctor` checks for this plugin (with the same flags as `start`). */
  checks?(ctx: CheckContext<OptionValues<O>>): DoctorCheck[];
}

export interface RunningPlugin {
  stop?(): Promise<void>;
  /** Reported by /ready; a plugin without it is ready once started. */
  isReady?(): boolean;
}

export interface PluginContext<C = unknown> {
  mode: ActivationMode;
  config: C;
  core: CoreConfig;
  /** Another plugin's options, declared in `reads`. */
  configOf<K extends keyof PluginConfigs>(key: K): PluginConfigs[K];
  logger: Logger;
  /** Loggers for sub-modules (`archiver:sync`), with their own levels. */
  loggerFor(module: string): Logger;
  metrics: Registry;
  rpc: JsonRpcServer;
  redactor: Redactor;
  /** A token declared in `requires`. */
  resolve<T>(token: Token<T>): T;
  /** A token declared in `uses`, when something in this process provides it. */
  resolveOptional<T>(token: Token<T>): T | undefined;
  provide<T>(token: Token<T>, value: T): void;
  /**
   * Builds a class with tsyringe injection from what this plugin may see: the kernel's tokens
   * (KernelTokens), its `requires` and present `uses`, and what it provided itself.
   */
  construct<T>(cls: InjectionToken<T>): T;
  /** This plugin's own directory under the data directory (created on demand by the plugin). */
  dataDir: string;
  /** Aborted when the process starts stopping. */
  signal: AbortSignal;
  /**
   * For background work that hits a fault it cannot recover from (its store's disk is full): the
   * kernel logs it as fatal, naming the path, and stops every role in order. Never throws.
   */
  fail(err: unknown): void;
}

/** Identity helper that keeps the option types of a declaration. */
export function definePlugin<O extends OptionDefs>(declaration: PluginDeclaration<O>): PluginDeclaration<O> {
  return declaration;
}

export function providedTokens(plugin: PluginDeclaration, config: unknown): Token<unknown>[] {
  const provides = plugin.provides ?? [];
  return Array.isArray(provides) ? provides : provides.fromConfig(config as never);
}

export function requiredTokens(plugin: PluginDeclaration, config: unknown): Token<unknown>[] {
  const requires = plugin.requires ?? [];
  return Array.isArray(requires) ? requires : requires.fromConfig(config as never);
}

export function remoteTokens(plugin: PluginDeclaration, config: unknown): { token: Token<unknown>; url: string }[] {
  return plugin.remotes?.(config as never) ?? [];
}

export function usedTokens(plugin: PluginDeclaration, config: unknown): Token<unknown>[] {
  const uses = plugin.uses ?? [];
  return Array.isArray(uses) ? uses : uses.fromConfig(config as never);
}

/** The key of a plugin's section in config files and `config show`. */
export function configKey(plugin: Pick<PluginDeclaration, 'name'>): string {
  return plugin.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
