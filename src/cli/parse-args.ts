import { UsageError } from './usage-error.js';

/** Declares one flag of a command. `takesValue` false means a boolean switch. */
export interface FlagSpec {
  /** Long name without dashes, e.g. "output". */
  name: string;
  /** Optional one-letter alias without dash, e.g. "r". */
  short?: string;
  takesValue: boolean;
  /** May be given more than once (values collected in order). */
  repeatable?: boolean;
}

export interface ParsedArgs {
  flags: Map<string, string[]>;
  positionals: string[];
}

/**
 * Parses argv for one command: `--name value`, `--name=value`, `-x value`, `-x`, and `--` to end
 * flags. Throws UsageError on an unknown flag, a missing value or a repeated non-repeatable flag.
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set('--' + spec.name, spec);
    if (spec.short) byName.set('-' + spec.short, spec);
  }
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(key);
    if (!spec) throw new UsageError(`unknown option ${key}`);
    let value = 'true';
    if (spec.takesValue) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`option ${key} needs a value`);
    } else if (eq >= 0) {
      throw new UsageError(`option ${key} takes no value`);
    }
    const list = flags.get(spec.name) ?? [];
    if (list.length > 0 && !spec.repeatable) throw new UsageError(`option ${key} given twice`);
    list.push(value);
    flags.set(spec.name, list);
  }
  return { flags, positionals };
}

/** The single value of a flag, or undefined. */
export function flagValue(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

/** A non-negative integer flag; throws UsageError naming the flag when it is not one. */
export function flagInt(args: ParsedArgs, name: string, fallback: number): number {
  const raw = flagValue(args, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} needs a non-negative integer, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new UsageError(`--${name} is too large: ${raw}`);
  return value;
}

/** A flag restricted to a set of words. */
export function flagChoice<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = flagValue(args, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${raw}"`);
  }
  return raw as T;
}
