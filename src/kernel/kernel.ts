import 'reflect-metadata';
import { join } from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Registry } from 'prom-client';
import type { CoreConfig } from './core-plugins.js';
import { configKey, providedTokens, requiredTokens, usedTokens, type ActivationMode, type PluginContext, type PluginDeclaration, type RunningPlugin } from './plugin.js';
import type { ResolvedConfig } from './config.js';
import type { Logger } from './logging.js';
import { JsonRpcServer } from './jsonrpc/server.js';
import { HttpServer } from './http-server.js';
import { KERNEL_RPC_NAMESPACE, KernelApiSchema, QUETZAL_VERSION } from './kernel-api.js';
import { tokenHint, tokenName, type Token } from './tokens.js';
import type { Redactor } from './redaction.js';
import { KernelTokens } from './kernel-tokens.js';
import { describeStorageFault, storageFaultCode } from './storage.js';
import { withinMs } from './time-limit.js';
import { nextTurn } from './turns.js';
import { RUNTIME_VERSION } from './runtime.js';

export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelError';
  }
}

export interface PlannedPlugin {
  plugin: PluginDeclaration;
  mode: ActivationMode;
}

/**
 * Decides which plugins run and in which order: the enabled roles, the roles in client mode, and
 * every non-role plugin that provides something they require (transitively), ordered so that each
 * plugin starts after the providers of its requirements. Fails with the operator's fix when a
 * requirement has no provider.
 */
export function planPlugins(plugins: PluginDeclaration[], roles: ReadonlySet<string>, config: ResolvedConfig): PlannedPlugin[] {
  const unknownRoles = [...roles].filter((r) => !plugins.some((p) => p.role && p.name === r));
  if (unknownRoles.length) throw new KernelError(`unknown role(s): ${unknownRoles.map((r) => `--${r}`).join(', ')}`);

  const active = new Map<string, ActivationMode>();
  for (const p of plugins) {
    if (!p.role) continue;
    if (roles.has(p.name)) active.set(p.name, 'role');
    else if (p.clientMode?.(config[configKey(p)] as never)) active.set(p.name, 'client');
  }
  const providersOf = (token: symbol, among: (p: PluginDeclaration) => boolean) =>
    plugins.filter((p) => among(p) && providedTokens(p, config[configKey(p)]).includes(token as Token<unknown>));

  // Pull in non-role providers until every requirement is met.
  const pending = [...active.keys()];
  while (pending.length) {
    const name = pending.pop();
    const plugin = plugins.find((p) => p.name === name)!;
    for (const token of requiredTokens(plugin, config[configKey(plugin)])) {
      if (providersOf(token, (p) => active.has(p.name)).length) continue;
      const candidate = providersOf(token, (p) => !p.role)[0];
      if (!candidate) {
        const hint = tokenHint(token);
        throw new KernelError(`--${plugin.name} requires ${tokenName(token)}, which nothing running provides${hint ? `: ${hint}` : ''}`);
      }
      active.set(candidate.name, 'dependency');
      pending.push(candidate.name);
    }
  }

  // Topological order over "requires or uses a token that p provides".
  const ordered: PlannedPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: PluginDeclaration, path: string[]) => {
    if (state.get(plugin.name) === 'done') return;
    if (state.get(plugin.name) === 'visiting') throw new KernelError(`plugins require each other in a cycle: ${[...path, plugin.name].join(' -> ')}`);
    state.set(plugin.name, 'visiting');
    const section = config[configKey(plugin)];
    for (const token of [...requiredTokens(plugin, section), ...usedTokens(plugin, section)]) {
      for (const dep of providersOf(token, (p) => active.has(p.name))) if (dep !== plugin) visit(dep, [...path, plugin.name]);
    }
    state.set(plugin.name, 'done');
    ordered.push({ plugin, mode: active.get(plugin.name)! });
  };
  for (const p of plugins) if (active.has(p.name)) visit(p, []);
  return ordered;
}

export interface KernelOptions {
  plugins: PluginDeclaration[];
  roles: ReadonlySet<string>;
  config: ResolvedConfig;
  logging: { root: Logger; forModule(module: string): Logger };
  metrics: Registry;
  redactor: Redactor;
}

interface Started {
  plugin: PluginDeclaration;
  running: RunningPlugin | undefined;
}

/**
 * One process's runtime: a tsyringe container, the HTTP server, and the started plugins. `start`
 * brings them up in dependency order; `stop` takes them down in reverse within the stop limit.
 */
export class Kernel {
  readonly container: DependencyContainer = rootContainer.createChildContainer();
  readonly rpc: JsonRpcServer;
  readonly http: HttpServer;
  readonly plan: PlannedPlugin[];
  private readonly started: Started[] = [];
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private startupDone = false;
  private stopping: Promise<boolean> | undefined;
  private failure: Error | undefined;
  private onFailure!: (err: Error) => void;
  /** Resolves with the first fault that made the process stop (see `fail`). */
  readonly failed = new Promise<Error>((resolve) => (this.onFailure = resolve));
  port = 0;

  constructor(private readonly options: KernelOptions) {
    this.logger = options.logging.forModule('kernel');
    this.plan = planPlugins(options.plugins, options.roles, options.config);
    this.rpc = new JsonRpcServer({
      maxBodyBytes: 64 * 1024 * 1024,
      logger: options.logging.forModule('rpc'),
      metrics: options.metrics,
      // a store that cannot write any more must not answer as if it could
      onInternalError: (err) => {
        if (storageFaultCode(err)) this.fail(err, 'rpc');
      },
    });
    this.http = new HttpServer({
      port: this.core.port,
      host: this.core.host,
      metrics: options.metrics,
      rpc: this.rpc,
      logger: options.logging.forModule('http'),
      isReady: () => this.isReady(),
    });
    this.registerKernelTokens(this.container);
    const startedAt = Date.now();
    this.rpc.register(KERNEL_RPC_NAMESPACE, KernelApiSchema, {
      getInfo: async () => ({
        version: QUETZAL_VERSION,
        nodeVersion: process.version,
        pid: process.pid,
        startedAt,
        ready: this.isReady(),
        plugins: this.plan.map((p) => ({ name: p.plugin.name, mode: p.mode })),
        methods: this.rpc.methodNames(),
      }),
    });
  }

  get core(): CoreConfig {
    return this.options.config.core as CoreConfig;
  }

  isReady(): boolean {
    return this.startupDone && !this.stopping && this.started.every((s) => s.running?.isReady?.() ?? true);
  }

  async start(): Promise<void> {
    this.port = await this.http.listen();
    try {
      for (const { plugin, mode } of this.plan) {
        if (this.failure) throw this.failure;
        // A start's steps that resolve at once never leave the microtask queue: without a turn of
        // the event loop between plugins, a whole start would be one stall (the node's HTTP server
        // already answers /health and /metrics).
        await nextTurn();
        await this.startPlugin(plugin, mode);
      }
    } catch (err) {
      await this.stop();
      throw storageFaultCode(err) ? describeStorageFault(err, this.core.dataDir) : err;
    }
    this.startupDone = true;
    this.logger.info({ port: this.port, runtime: RUNTIME_VERSION, plugins: this.plan.map((p) => `${p.plugin.name}(${p.mode})`) }, 'started');
  }

  /**
   * A fault the process cannot go on with (its disk is full, an error nothing handled): logs it
   * once as fatal, naming the path for a storage fault, and stops every role in order. The first
   * fault wins; `failed` resolves with it.
   */
  fail(err: unknown, from: string): void {
    if (this.failure) return;
    const storage = storageFaultCode(err) !== undefined;
    const fault = storage ? describeStorageFault(err, this.core.dataDir) : err instanceof Error ? err : new Error(String(err));
    this.failure = fault;
    this.logger.fatal({ err: fault, from, ...(storage && { path: (fault as { path?: string }).path }) }, storage ? `${fault.message}; stopping every role` : 'unexpected failure; stopping every role');
    this.onFailure(fault);
    void this.stop();
  }

  /** Stops every plugin in reverse order; resolves false when the stop limit ran out. */
  stop(): Promise<boolean> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private registerKernelTokens(container: DependencyContainer): void {
    container.registerInstance(KernelTokens.Metrics, this.options.metrics);
    container.registerInstance(KernelTokens.Rpc, this.rpc);
    container.registerInstance(KernelTokens.Logging, this.options.logging);
  }

  private async startPlugin(plugin: PluginDeclaration, mode: ActivationMode): Promise<void> {
    const logger = this.options.logging.forModule(plugin.name);
    const section = this.options.config[configKey(plugin)];
    const required = new Set<symbol>(requiredTokens(plugin, section));
    const used = new Set<symbol>(usedTokens(plugin, section));
    // What `construct` may inject: the kernel's tokens, the declared requirements, and what the plugin provides.
    const scope = rootContainer.createChildContainer();
    this.registerKernelTokens(scope);
    for (const token of [...required, ...used]) if (this.container.isRegistered(token)) scope.registerInstance(token, this.container.resolve(token));
    const ctx: PluginContext<unknown> = {
      mode,
      config: section,
      core: this.core,
      configOf: (key) => {
        if (!plugin.reads?.includes(key)) throw new KernelError(`${plugin.name} read the ${key} options without declaring them in reads`);
        const options = this.options.config[key];
        if (!options) throw new KernelError(`${plugin.name} reads the ${key} options, but no installed plugin has them`);
        return options as never;
      },
      logger,
      loggerFor: (module) => this.options.logging.forModule(module),
      metrics: this.options.metrics,
      rpc: this.rpc,
      redactor: this.options.redactor,
      resolve: <T>(token: Token<T>) => {
        if (!required.has(token)) throw new KernelError(`${plugin.name} resolved ${tokenName(token)} without declaring it in requires`);
        return this.container.resolve<T>(token);
      },
      resolveOptional: <T>(token: Token<T>) => {
        if (!used.has(token)) throw new KernelError(`${plugin.name} looked up ${tokenName(token)} without declaring it in uses`);
        return this.container.isRegistered(token) ? this.container.resolve<T>(token) : undefined;
      },
      provide: (token, value) => {
        this.container.registerInstance(token, value);
        scope.registerInstance(token, value);
      },
      construct: (cls) => scope.resolve(cls),
      dataDir: join(this.core.dataDir, plugin.name),
      signal: this.abort.signal,
      fail: (err) => this.fail(err, plugin.name),
    };
    logger.debug({ mode }, 'starting');
    const running = (await plugin.start?.(ctx as PluginContext<never>)) ?? undefined;
    this.started.push({ plugin, running });
    const missing = providedTokens(plugin, ctx.config).filter((t) => !this.container.isRegistered(t));
    if (missing.length) throw new KernelError(`plugin ${plugin.name} declares that it provides ${missing.map(tokenName).join(', ')} but did not provide it`);
    logger.info({ mode }, 'started');
  }

  private async stopAll(): Promise<boolean> {
    this.abort.abort(new Error('the process is stopping'));
    const limit = this.core.stopTimeoutMs;
    const stopping = (async () => {
      for (const { plugin, running } of [...this.started].reverse()) {
        try {
          await running?.stop?.();
          this.options.logging.forModule(plugin.name).info('stopped');
        } catch (err) {
          this.logger.error({ err, plugin: plugin.name }, 'plugin failed to stop cleanly');
        }
      }
      await this.http.close();
      await this.rpc.close();
    })();
    const finished = (await withinMs(stopping, limit)) !== undefined;
    if (!finished) this.logger.error({ stopTimeoutMs: limit }, 'plugins did not stop within the stop limit');
    return finished;
  }
}
