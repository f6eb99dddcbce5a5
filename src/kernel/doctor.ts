// `quetzal doctor`: the contract of a check and the runner. Each plugin declares its checks
// (`PluginDeclaration.checks`); the CLI gathers those of the plugins `start` would run and runs
// them one at a time, each within a time limit, so one hung probe cannot hide the others.
import type { PluginContext } from './plugin.js';
import type { Redactor } from './redaction.js';
import { tokenName, type Token } from './tokens.js';
import { withinMs } from './time-limit.js';
import type { KernelInfo } from './kernel-api.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckOutcome {
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What the operator should do (warn and fail). */
  fix?: string;
}

export interface DoctorCheck {
  /** Short kebab-case name, printed and used in bundles (`l1-chain-id`). */
  name: string;
  run(): Promise<CheckOutcome>;
}

export const pass = (detail: string): CheckOutcome => ({ status: 'pass', detail });
export const warn = (detail: string, fix: string): CheckOutcome => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string): CheckOutcome => ({ status: 'fail', detail, fix });

/** A check stopped by something it depends on (no L1, no running node): fails with that fix. */
export class CheckPrerequisiteError extends Error {
  constructor(message: string, readonly fix: string) {
    super(message);
    this.name = 'CheckPrerequisiteError';
  }
}

/** The running node, as the doctor reaches it at --host/--port. */
export interface NodeProbe {
  url: string;
  info: KernelInfo;
}

/** What a plugin's checks see: its config and data directory as under `start`, plus the doctor's probes. */
export interface CheckContext<C = unknown> extends Pick<PluginContext<C>, 'mode' | 'config' | 'core' | 'configOf' | 'redactor' | 'dataDir'> {
  /** The node at --host/--port; throws CheckPrerequisiteError when none answers. */
  node(): Promise<NodeProbe>;
  /** Offers a resource to other plugins' checks (e.g. the L1 connection), made on first use. */
  provide<T>(token: Token<T>, make: () => Promise<T>): void;
  /** A resource another plugin's checks offer; throws CheckPrerequisiteError when none does, or making it failed. */
  resolve<T>(token: Token<T>): Promise<T>;
}

export interface CheckResult extends CheckOutcome {
  name: string;
  plugin: string;
  ms: number;
}

/** Shared resources of one doctor run, keyed by token; each made once. */
export class CheckResources {
  private readonly makers = new Map<symbol, () => Promise<unknown>>();
  private readonly made = new Map<symbol, Promise<unknown>>();

  provide<T>(token: Token<T>, make: () => Promise<T>): void {
    if (!this.makers.has(token)) this.makers.set(token, make);
  }

  resolve<T>(token: Token<T>): Promise<T> {
    const make = this.makers.get(token);
    if (!make) return Promise.reject(new CheckPrerequisiteError(`nothing in this setup provides ${tokenName(token)}`, 'pass the role or the flag that provides it (see `quetzal start --plan`)'));
    let p = this.made.get(token);
    if (!p) {
      p = make().catch((err: unknown) => {
        throw err instanceof CheckPrerequisiteError ? err : new CheckPrerequisiteError(`${tokenName(token)} is not available: ${(err as Error).message}`, 'fix the check that reports it above');
      });
      this.made.set(token, p);
    }
    return p as Promise<T>;
  }
}

/** Runs the checks in order; a check that throws or outlasts `timeoutMs` fails with the reason. */
export async function runChecks(checks: Array<{ plugin: string; check: DoctorCheck }>, options: { timeoutMs: number; redactor: Redactor }): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { plugin, check } of checks) {
    const t0 = Date.now();
    const answered = await withinMs(
      check.run().catch((err: unknown) =>
        // viem and fetch errors run over several lines (request bodies, versions): the first says what failed.
        err instanceof CheckPrerequisiteError ? fail(err.message, err.fix) : fail(`the check failed: ${(err as Error).message.split('\n')[0]}`, 'see the message; check the service it names'),
      ),
      options.timeoutMs,
    );
    const outcome = answered?.value ?? fail(`no answer within ${options.timeoutMs} ms`, 'check that the service it probes is up and reachable');
    results.push({
      name: check.name,
      plugin,
      status: outcome.status,
      detail: options.redactor.redactString(outcome.detail),
      ...(outcome.fix !== undefined && { fix: options.redactor.redactString(outcome.fix) }),
      ms: Date.now() - t0,
    });
  }
  return results;
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

/** The report printed by `quetzal doctor`: one line per check, its fix indented below. */
export function formatReport(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length), 4);
  const lines = results.map((r) => `${MARK[r.status]}  ${r.name.padEnd(width)}  ${r.detail}${r.fix && r.status !== 'pass' ? `\n      fix: ${r.fix}` : ''}`);
  const failed = results.filter((r) => r.status === 'fail').map((r) => r.name);
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push('', failed.length ? `${failed.length} check(s) failed: ${failed.join(', ')}` : `all ${results.length} checks passed${warned ? ` (${warned} warning(s))` : ''}`);
  return lines.join('\n');
}
