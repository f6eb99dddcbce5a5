import 'reflect-metadata';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { inject, injectable } from 'tsyringe';
import { Kernel, planPlugins, KernelError } from './kernel.js';
import { definePlugin, type PluginDeclaration } from './plugin.js';
import { option } from './options.js';
import { defineToken } from './tokens.js';
import { Redactor } from './redaction.js';
import { silentLogger } from './testing.js';
import type { ResolvedConfig } from './config.js';

const Source = defineToken<{ name: string }>('TestSource', 'run --source, or set --source.url');
const Store = defineToken<{ kind: string }>('TestStore', 'provided by the store plugin');

function declarations(events: string[], opts: { failStart?: string; slowStop?: string } = {}): PluginDeclaration[] {
  const track = (name: string, provide?: (ctx: Parameters<NonNullable<PluginDeclaration['start']>>[0]) => void) =>
    async (ctx: Parameters<NonNullable<PluginDeclaration['start']>>[0]) => {
      if (opts.failStart === name) throw new Error(`${name} could not start`);
      events.push(`start ${name}`);
      provide?.(ctx);
      return {
        stop: async () => {
          if (opts.slowStop === name) await new Promise((r) => setTimeout(r, 5_000));
          events.push(`stop ${name}`);
        },
      };
    };
  return [
    definePlugin({
      name: 'source',
      description: 'a role that provides Source, or a client of a remote one',
      role: { description: 'source' },
      options: { url: option.url({ description: 'remote source' }) },
      provides: [Source],
      clientMode: (c) => c.url !== undefined,
      start: track('source', (ctx) => ctx.provide(Source, { name: ctx.mode })),
    }),
    definePlugin({ name: 'store', description: 'non-role provider of Store', provides: [Store], start: track('store', (ctx) => ctx.provide(Store, { kind: 'lmdb' })) }),
    definePlugin({ name: 'unused', description: 'nobody needs it', provides: [], start: track('unused') }),
    definePlugin({
      name: 'consumer',
      description: 'needs both',
      role: { description: 'consumer' },
      requires: [Source, Store],
      start: track('consumer', (ctx) => events.push(`consumer sees ${ctx.resolve(Source).name} and ${ctx.resolve(Store).kind}`)),
    }),
  ];
}

const config = (overrides: Partial<ResolvedConfig> = {}): ResolvedConfig => ({
  core: { port: 0, host: '127.0.0.1', dataDir: '/tmp/qz-kernel-test', network: 'local', logLevel: 'silent', stopTimeoutMs: 1000 },
  source: {},
  store: {},
  unused: {},
  consumer: {},
  ...overrides,
});

function kernel(plugins: PluginDeclaration[], roles: string[], cfg = config()) {
  const logger = silentLogger();
  return new Kernel({ plugins, roles: new Set(roles), config: cfg, logging: { root: logger, forModule: () => logger }, metrics: new Registry(), redactor: new Redactor() });
}

@injectable()
class NeedsStore {
  constructor(@inject(Store) readonly store: { kind: string }) {}
}

@injectable()
class NeedsSource {
  constructor(@inject(Source) readonly source: { name: string }) {}
}

describe('planPlugins', () => {
  test('starts providers before their consumers and pulls in non-role dependencies only', () => {
    const plan = planPlugins(declarations([]), new Set(['consumer', 'source']), config());
    assert.deepEqual(plan.map((p) => `${p.plugin.name}:${p.mode}`), ['source:role', 'store:dependency', 'consumer:role']);
  });

  test('a role in client mode provides its tokens without its role flag', () => {
    const plan = planPlugins(declarations([]), new Set(['consumer']), config({ source: { url: 'http://remote:1' } }));
    assert.deepEqual(plan.map((p) => `${p.plugin.name}:${p.mode}`), ['source:client', 'store:dependency', 'consumer:role']);
  });

  test('a requirement nobody provides is refused with the fix', () => {
    assert.throws(() => planPlugins(declarations([]), new Set(['consumer']), config()), (e: unknown) => e instanceof KernelError && e.message === '--consumer requires TestSource, which nothing running provides: run --source, or set --source.url');
  });

  test('unknown roles and dependency cycles are refused', () => {
    assert.throws(() => planPlugins(declarations([]), new Set(['nope']), config()), /unknown role\(s\): --nope/);
    const A = defineToken('CycleA', '');
    const B = defineToken('CycleB', '');
    const cyclic: PluginDeclaration[] = [
      { name: 'a', description: '', role: { description: '' }, provides: [A], requires: [B] },
      { name: 'b', description: '', provides: [B], requires: [A] },
    ];
    assert.throws(() => planPlugins(cyclic, new Set(['a']), { a: {}, b: {} }), /cycle: a -> b -> a/);
  });
});

describe('Kernel', () => {
  test('starts in dependency order, injects providers, serves health/ready/metrics, stops in reverse', async () => {
    const events: string[] = [];
    const k = kernel(declarations(events), ['consumer', 'source']);
    await k.start();
    const base = `http://127.0.0.1:${k.port}`;
    assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${base}/ready`)).json(), { ready: true });
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
    assert.deepEqual(await k.stop(), true);
    assert.deepEqual(events, ['start source', 'start store', 'start consumer', 'consumer sees role and lmdb', 'stop consumer', 'stop store', 'stop source']);
  });

  test('when a plugin fails to start, the ones already started are stopped', async () => {
    const events: string[] = [];
    const k = kernel(declarations(events, { failStart: 'consumer' }), ['consumer', 'source']);
    await assert.rejects(k.start(), /consumer could not start/);
    assert.deepEqual(events, ['start source', 'start store', 'stop store', 'stop source']);
  });

  test('a stop that overruns the stop limit reports it', async () => {
    const events: string[] = [];
    const k = kernel(declarations(events, { slowStop: 'store' }), ['consumer', 'source'], config({ core: { ...config().core!, stopTimeoutMs: 200 } }));
    await k.start();
    const t0 = Date.now();
    assert.equal(await k.stop(), false);
    assert.ok(Date.now() - t0 < 2_000);
  });

  test('a plugin that declares a token but does not provide it fails start', async () => {
    const broken: PluginDeclaration[] = [{ name: 'liar', description: '', role: { description: '' }, provides: [Store], start: async () => undefined }];
    const k = kernel(broken, ['liar'], { core: config().core!, liar: {} });
    await assert.rejects(k.start(), /liar declares that it provides TestStore but did not provide it/);
  });

  test('a plugin sees only what it declares: requires, uses, reads; construct injects from that scope', async () => {
    const Optional = defineToken<{ v: number }>('TestOptional', '');
    const seen: unknown[] = [];
    const plugins: PluginDeclaration[] = [
      ...declarations([]),
      { name: 'optional', description: '', role: { description: '' }, provides: [Optional], start: async (ctx) => ctx.provide(Optional, { v: 7 }) },
      {
        name: 'reader',
        description: '',
        role: { description: '' },
        requires: [Store],
        uses: [Optional],
        reads: ['l1'],
        start: async (ctx) => {
          seen.push(ctx.resolve(Store).kind, ctx.resolveOptional(Optional)?.v, ctx.configOf('l1').chainId);
          // undeclared: refused with the declaration to add
          assert.throws(() => ctx.resolve(Source), /reader resolved TestSource without declaring it in requires/);
          assert.throws(() => ctx.configOf('core'), /reader read the core options without declaring them in reads/);
          assert.throws(() => ctx.construct(NeedsSource), /TestSource/);
          seen.push(ctx.construct(NeedsStore).store.kind);
        },
      },
    ];
    const cfg = { ...config(), l1: { chainId: 5 }, optional: {}, reader: {} };
    // `uses` orders an active provider first but does not pull one in
    assert.deepEqual(planPlugins(plugins, new Set(['reader', 'optional']), cfg).map((p) => p.plugin.name), ['store', 'optional', 'reader']);
    assert.deepEqual(planPlugins(plugins, new Set(['reader']), cfg).map((p) => p.plugin.name), ['store', 'reader']);
    const k = kernel(plugins, ['optional', 'reader'], cfg);
    await k.start();
    await k.stop();
    assert.deepEqual(seen, ['lmdb', 7, 5, 'lmdb']);
    const alone = kernel(plugins, ['reader'], cfg);
    seen.length = 0;
    await alone.start();
    await alone.stop();
    assert.deepEqual(seen, ['lmdb', undefined, 5, 'lmdb']);
  });

  test('/ready follows the plugins', async () => {
    let ready = false;
    const plugin: PluginDeclaration = { name: 'slow', description: '', role: { description: '' }, start: async () => ({ isReady: () => ready }) };
    const k = kernel([plugin], ['slow'], { core: config().core!, slow: {} });
    await k.start();
    const url = `http://127.0.0.1:${k.port}/ready`;
    assert.equal((await fetch(url)).status, 503);
    ready = true;
    assert.equal((await fetch(url)).status, 200);
    await k.stop();
  });
});
