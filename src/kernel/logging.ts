import { pino, multistream, symbols as pinoSymbols, destination as pinoDestination, type Logger as PinoLogger, type DestinationStream, type Level } from 'pino';
import pretty from 'pino-pretty';
import { redactDeep, type Redactor } from './redaction.js';
import { RotatingLogFile, type RotatingLogFileOptions } from './log-file.js';

export type Logger = PinoLogger;

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface LevelSpec {
  defaultLevel: Level | 'silent';
  /** Module prefix -> level, most specific prefixes first. */
  modules: Array<[string, Level | 'silent']>;
}

/**
 * Parses `LOG_LEVEL="info;debug:prover-broker,archiver;warn:world-state"`: a default level, then
 * `level:module,module` groups. A module matches itself and its sub-modules (`archiver:sync`).
 */
export function parseLevelSpec(spec: string | undefined): LevelSpec {
  const result: LevelSpec = { defaultLevel: 'info', modules: [] };
  if (!spec?.trim()) return result;
  for (const part of spec.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [level, modules] = part.includes(':') ? [part.slice(0, part.indexOf(':')), part.slice(part.indexOf(':') + 1)] : [part, undefined];
    if (!LEVELS.includes(level!)) {
      throw new Error(`LOG_LEVEL: unknown level "${level}" in "${spec}"; use one of ${LEVELS.join(', ')}, e.g. "info;debug:prover-broker"`);
    }
    if (modules === undefined) result.defaultLevel = level as Level;
    else for (const m of modules.split(',').map((s) => s.trim()).filter(Boolean)) result.modules.push([m, level as Level]);
  }
  result.modules.sort((a, b) => b[0].length - a[0].length);
  return result;
}

export function levelFor(spec: LevelSpec, module: string): Level | 'silent' {
  const hit = spec.modules.find(([prefix]) => module === prefix || module.startsWith(`${prefix}:`));
  return hit ? hit[1] : spec.defaultLevel;
}

export interface LoggerOptions {
  /** A LOG_LEVEL spec. */
  level?: string;
  /** Human-readable lines instead of JSON; defaults to whether stderr is a TTY. */
  pretty?: boolean;
  /** Where lines go; defaults to stderr (stdout stays free for command output). */
  destination?: DestinationStream;
  /** Also write JSON lines to this rotating file (the data directory's log, for `doctor --bundle`). */
  file?: RotatingLogFileOptions;
  redactor: Redactor;
}

/** Creates a process's loggers: `forModule(name)` gives a child with that module's level. */
export function createLogging(options: LoggerOptions): { root: Logger; forModule(module: string): Logger } {
  const spec = parseLevelSpec(options.level);
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const console = options.destination ?? (usePretty ? pretty({ colorize: true, destination: 2, ignore: 'pid,hostname' }) : pinoDestination({ dest: 2, sync: true }));
  // The loggers' own levels filter; every stream takes what reaches it.
  const destination = options.file ? multistream([{ level: 'trace', stream: console }, { level: 'trace', stream: new RotatingLogFile(options.file) }]) : console;
  const { redactor } = options;
  const root = pino(
    {
      level: 'trace',
      base: { pid: process.pid },
      formatters: {
        // Secrets are removed from every object at any depth, and configured secret values from any
        // string, before a line is written.
        log: (obj) => redactDeep(obj, redactor) as Record<string, unknown>,
        bindings: (bindings) => redactDeep(bindings, redactor) as Record<string, unknown>,
      },
      // pino skips the bindings formatter for children (it pre-serializes their bindings), so
      // redact the serialized bindings of every child as it is made.
      onChild(child) {
        const holder = child as unknown as Record<symbol, string>;
        const serialized = holder[pinoSymbols.chindingsSym];
        if (!serialized) return;
        const redacted = redactDeep(JSON.parse(`{${serialized.slice(1)}}`), redactor);
        holder[pinoSymbols.chindingsSym] = `,${JSON.stringify(redacted).slice(1, -1)}`;
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactor.redactString(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  root.level = spec.defaultLevel;
  return {
    root,
    forModule(module: string) {
      const child = root.child({ module });
      child.level = levelFor(spec, module);
      return child;
    },
  };
}
