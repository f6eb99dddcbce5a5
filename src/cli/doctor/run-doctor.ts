// Gathers the checks of the plugins `start` would run with these flags and runs them.
import { join } from 'node:path';
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { KERNEL_RPC_NAMESPACE, KernelApiSchema } from '@quetzal/kernel/kernel-api';
import { planPlugins } from '@quetzal/kernel/kernel';
import { configKey, type PluginDeclaration } from '@quetzal/kernel/plugin';
import type { ResolvedConfig } from '@quetzal/kernel/config';
import type { CoreConfig } from '@quetzal/kernel/core-plugins';
import type { Redactor } from '@quetzal/kernel/redaction';
import {
  CheckPrerequisiteError, CheckResources, fail, runChecks, type CheckContext, type CheckResult, type DoctorCheck, type NodeProbe,
} from '@quetzal/kernel/doctor';

export interface DoctorRun {
  results: CheckResult[];
  /** The roles checked: the flags', or the running node's when no role flag was given. */
  roles: string[];
  node: NodeProbe | undefined;
}

export async function runDoctor(o: { plugins: PluginDeclaration[]; roles: Set<string>; config: ResolvedConfig; redactor: Redactor; timeoutMs: number }): Promise<DoctorRun> {
  const core = o.config.core as CoreConfig;
  const node = memo(() => probeNode(core));
  const found = await node().catch(() => undefined);
  const roles = o.roles.size ? o.roles : new Set(found?.info.plugins.filter((p) => p.mode === 'role').map((p) => p.name) ?? []);

  const checks: Array<{ plugin: string; check: DoctorCheck }> = [];
  const coreName = o.plugins.find((p) => p.unprefixed)?.name;
  let planned: Array<{ plugin: PluginDeclaration; mode: CheckContext['mode'] }> = [];
  try {
    planned = planPlugins(o.plugins, roles, o.config);
  } catch (err) {
    checks.push({ plugin: 'kernel', check: { name: 'plan', run: async () => fail((err as Error).message, 'pass the flag the message names') } });
  }
  if (roles.size === 0) {
    checks.push({
      plugin: 'kernel',
      check: { name: 'roles', run: async () => fail('no role flag given and no running node to ask', 'start the node, or pass the role flags it runs with (--prover-node, --prover-broker, ...)') },
    });
  }
  const resources = new CheckResources();
  const withCore = [...o.plugins.filter((p) => p.unprefixed).map((plugin) => ({ plugin, mode: 'dependency' as const })), ...planned];
  for (const { plugin, mode } of withCore) {
    if (!plugin.checks) continue;
    const ctx: CheckContext = {
      mode,
      config: o.config[configKey(plugin)],
      core,
      configOf: (key) => o.config[key] as never,
      redactor: o.redactor,
      dataDir: join(core.dataDir, plugin.name),
      node,
      provide: (token, make) => resources.provide(token, make),
      resolve: (token) => resources.resolve(token),
    };
    for (const check of plugin.checks(ctx as never)) checks.push({ plugin: plugin.name === coreName ? 'kernel' : plugin.name, check });
  }
  const results = await runChecks(checks, { timeoutMs: o.timeoutMs, redactor: o.redactor });
  return { results, roles: [...roles], node: found };
}

async function probeNode(core: CoreConfig): Promise<NodeProbe> {
  if (core.port === 0) throw new CheckPrerequisiteError('--port 0: cannot tell which port the node took', 'pass the port the node listens on (its "started" log line shows it)');
  const host = core.host === '0.0.0.0' || core.host === '::' ? '127.0.0.1' : core.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${core.port}`;
  try {
    const info = await createJsonRpcClient(url, KERNEL_RPC_NAMESPACE, KernelApiSchema, { timeoutMs: 3000, retries: 0 }).getInfo();
    return { url, info };
  } catch (err) {
    throw new CheckPrerequisiteError(`no Quetzal node answers at ${url} (${(err as Error).message.split('\n')[0]})`, 'start it (`quetzal start` with these flags), or pass the --host/--port it listens on');
  }
}

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}
