/**
 * qemu-io commands, parsed from the same strings qemu-io takes after `-c`, so one script runs on both:
 * `write [-P pattern] [-z [-u]] [-c] OFF LEN`, `read [-P pattern] OFF LEN`, `discard OFF LEN`, `flush`.
 * Parse failures carry the line qemu-io would print.
 */
import { parseSizeBytes } from './parse-size.js';

export type IoCommand =
  | { kind: 'write'; offsetBytes: number; lengthBytes: number; pattern: number; zero: boolean; unmap: boolean; compressed: boolean; quiet: boolean }
  | { kind: 'read'; offsetBytes: number; lengthBytes: number; pattern: number | undefined; quiet: boolean }
  | { kind: 'discard'; offsetBytes: number; lengthBytes: number; quiet: boolean }
  | { kind: 'flush' };

/** A command line that did not parse: `line` is what qemu-io prints, `stream` where. */
interface IoParseFailure {
  kind: 'parse-error';
  line: string;
  stream: 'stdout' | 'stderr';
}

const ALIASES: Record<string, string> = { w: 'write', r: 'read', d: 'discard', f: 'flush' };
/** qemu-io's default write pattern. */
const DEFAULT_WRITE_PATTERN = 0xcd;

/** Parses one `-c` command string. */
export function parseIoCommand(text: string): IoCommand | IoParseFailure {
  const words = text.trim().split(/\s+/).filter((w) => w.length > 0);
  const name = ALIASES[words[0] ?? ''] ?? words[0] ?? '';
  if (name === 'flush') return { kind: 'flush' };
  if (name !== 'write' && name !== 'read' && name !== 'discard') return { kind: 'parse-error', line: `command "${words[0] ?? ''}" not found`, stream: 'stderr' };
  const flags = new Map<string, string>();
  const args: string[] = [];
  const valued = new Set(['P']);
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('-') || w.length < 2 || args.length > 0) {
      args.push(w);
      continue;
    }
    for (let j = 1; j < w.length; j++) {
      const f = w[j];
      if (!valued.has(f)) {
        flags.set(f, 'true');
        continue;
      }
      const value = j + 1 < w.length ? w.slice(j + 1) : words[++i];
      if (value === undefined) return fail(`${name}: option requires an argument -- '${f}'`);
      flags.set(f, value);
      break;
    }
  }
  return buildCommand(name, flags, args);
}

function buildCommand(name: 'write' | 'read' | 'discard', flags: Map<string, string>, args: string[]): IoCommand | IoParseFailure {
  const allowed = { write: 'Pzucq', read: 'Pqv', discard: 'q' }[name];
  for (const f of flags.keys()) if (!allowed.includes(f)) return fail(`${name}: invalid option -- '${f}'`);
  if (args.length !== 2) return fail(`bad argument count ${args.length} to ${name}, expected 2 arguments`);
  const offsetBytes = parseSizeBytes(args[0]);
  if (typeof offsetBytes !== 'number') return sizeFail(offsetBytes, args[0]);
  const lengthBytes = parseSizeBytes(args[1]);
  if (typeof lengthBytes !== 'number') return sizeFail(lengthBytes, args[1]);
  const quiet = flags.has('q');
  let pattern: number | undefined;
  if (flags.has('P')) {
    const raw = flags.get('P') ?? '';
    pattern = parsePattern(raw);
    if (pattern === undefined) return fail(`${raw} is not a valid pattern byte`);
  }
  if (name === 'read') return { kind: 'read', offsetBytes, lengthBytes, pattern, quiet };
  if (name === 'discard') return { kind: 'discard', offsetBytes, lengthBytes, quiet };
  const zero = flags.has('z');
  if (flags.has('u') && !zero) return fail('-u requires -z to be specified');
  if (zero && flags.has('P')) return fail('-z and -P cannot be specified at the same time');
  return { kind: 'write', offsetBytes, lengthBytes, pattern: pattern ?? DEFAULT_WRITE_PATTERN, zero, unmap: flags.has('u'), compressed: flags.has('c'), quiet };
}

/** A pattern byte the way C's strtol(base 0) reads it: decimal, 0x hex or 0 octal, 0..255. */
function parsePattern(raw: string): number | undefined {
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(raw)) value = Number.parseInt(raw.slice(2), 16);
  else if (/^0[0-7]+$/.test(raw)) value = Number.parseInt(raw.slice(1), 8);
  else if (/^\d+$/.test(raw)) value = Number(raw);
  else return undefined;
  return value <= 255 ? value : undefined;
}

function fail(line: string): IoParseFailure {
  return { kind: 'parse-error', line, stream: 'stdout' };
}

function sizeFail(why: 'invalid' | 'too-large', arg: string): IoParseFailure {
  if (why === 'too-large') return fail(`Parsing error: argument too large -- ${arg}`);
  return fail(`Parsing error: non-numeric argument, or extraneous/unrecognized suffix -- ${arg}`);
}
