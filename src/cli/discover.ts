import type { Interfaces } from '@oclif/core';
import { KERNEL_PLUGINS } from '@quetzal/kernel/core-plugins';
import type { PluginDeclaration } from '@quetzal/kernel/plugin';

declare module '@oclif/core' {
  interface Hooks {
    /** Every oclif plugin that carries Quetzal plugins answers with their declarations. */
    'quetzal:plugins': { options: Record<string, never>; return: PluginDeclaration[] };
  }
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * The Quetzal plugins of this installation: the kernel's own, then those of every oclif plugin
 * (bundled roles, and third-party ones added with `quetzal plugins install|link`).
 */
export async function discoverPlugins(config: Interfaces.Config): Promise<PluginDeclaration[]> {
  // oclif runs hooks concurrently and collects errors instead of throwing: check them.
  const { successes, failures } = await config.runHook('quetzal:plugins', {});
  if (failures.length) {
    const details = failures.map((f) => `${f.plugin.name}: ${f.error.message}`).join('; ');
    throw new Error(`could not load Quetzal plugins (${details})`);
  }
  // hooks finish in any order: sort, so that the start order (and `start --plan`) is the same every time
  const declarations = [...KERNEL_PLUGINS, ...successes.flatMap((s) => s.result ?? []).sort((a, b) => a.name.localeCompare(b.name))];
  const seen = new Set<string>();
  for (const d of declarations) {
    if (!NAME.test(d.name)) throw new Error(`Quetzal plugin name "${d.name}" must be kebab-case (like prover-agent)`);
    if (seen.has(d.name)) throw new Error(`two Quetzal plugins are named "${d.name}"; uninstall one (quetzal plugins)`);
    seen.add(d.name);
  }
  return declarations;
}
