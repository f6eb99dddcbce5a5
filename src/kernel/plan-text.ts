// `quetzal start --plan`: the kernel's computed start order in words, so that a person can follow
// the wiring from `start` to each service without starting anything.
import type { ResolvedConfig } from './config.js';
import type { PlannedPlugin } from './kernel.js';
import { configKey, providedTokens, remoteTokens, requiredTokens, usedTokens } from './plugin.js';
import { tokenName, type Token } from './tokens.js';
import { kebab } from './options.js';

export function describePlan(plan: readonly PlannedPlugin[], config: ResolvedConfig): string {
  const sectionOf = (p: PlannedPlugin) => config[configKey(p.plugin)];
  const lines = ['Plugins in start order (stopped in reverse); nothing was started.', ''];
  plan.forEach((planned, i) => {
    const { plugin, mode } = planned;
    const section = sectionOf(planned);
    const remotes = remoteTokens(plugin, section);
    const source = (token: Token<unknown>): string => {
      const remote = remotes.find((r) => r.token === token);
      if (remote) return `${remote.url} (JSON-RPC)`;
      const providers = plan.filter((p) => p !== planned && providedTokens(p.plugin, sectionOf(p)).includes(token));
      if (providers.length === 0) return 'nothing in this process';
      return providers.map((p) => (p.mode === 'client' ? `${p.plugin.name} (client of ${remoteTokens(p.plugin, sectionOf(p)).find((r) => r.token === token)?.url ?? 'a remote'})` : p.plugin.name)).join(', ');
    };
    const group = (label: string, tokens: Token<unknown>[], withSource: boolean) => {
      if (tokens.length) lines.push(`     ${label.padEnd(9)}${tokens.map((t) => (withSource ? `${tokenName(t)} <- ${source(t)}` : tokenName(t))).join('\n' + ' '.repeat(14))}`);
    };
    lines.push(`${String(i + 1).padStart(3)}. ${plugin.name} (${describeMode(mode, remotes)})`);
    group('provides', providedTokens(plugin, section), false);
    group('requires', requiredTokens(plugin, section), true);
    group('uses', usedTokens(plugin, section), true);
    if (plugin.reads?.length) lines.push(`     reads    ${plugin.reads.map((k) => (k === 'core' ? 'the global options' : `--${kebab(k)}.*`)).join(', ')}`);
  });
  return lines.join('\n');
}

function describeMode(mode: PlannedPlugin['mode'], remotes: { url: string }[]): string {
  if (mode === 'role') return 'role';
  if (mode === 'client') return `client of ${remotes[0]?.url ?? 'a remote instance'}`;
  return 'a dependency of the roles';
}
