/**
 * crashcow create -f qcow2 [-o OPTIONS] [-b BACKING -F FMT] [-q] [--mutant NAME]... IMAGE [SIZE]:
 * qemu-img create's syntax and message, done by the built-in engine. Options: cluster_size,
 * refcount_bits, compat (0.10|1.1), lazy_refcounts, extended_l2, compression_type (zlib|zstd),
 * backing_file, backing_fmt. Bad flags and sizes are UsageErrors (exit 2); engine refusals exit 1.
 */
import { BuiltinEngine } from '../../engine/builtin/builtin-engine.js';
import type { CreateOptions } from '../../engine/engine.js';
import { isEngineError } from '../../engine/engine-error.js';
import { isMutantName, type MutantName } from '../../engine/mutants.js';
import { parseSizeBytes } from '../../engine/script/parse-size.js';
import type { Command } from '../command.js';
import { flagValue, parseArgs, type ParsedArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

const USAGE = 'crashcow create -f qcow2 [-o cluster_size=..,refcount_bits=..,compat=0.10|1.1,lazy_refcounts=on,extended_l2=on,compression_type=zlib|zstd] [-b BACKING -F FMT] [-q] [--mutant NAME]... IMAGE [SIZE]';

export const createCommand: Command = {
  name: 'create',
  summary: 'create a qcow2 image (qemu-img create syntax) with the built-in engine',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'format', short: 'f', takesValue: true },
      { name: 'options', short: 'o', takesValue: true, repeatable: true },
      { name: 'backing', short: 'b', takesValue: true },
      { name: 'backing-format', short: 'F', takesValue: true },
      { name: 'quiet', short: 'q', takesValue: false },
      { name: 'unsafe', short: 'u', takesValue: false },
      { name: 'mutant', takesValue: true, repeatable: true },
    ]);
    const format = flagValue(args, 'format') ?? 'qcow2';
    if (format !== 'qcow2') throw new UsageError(`only -f qcow2 is supported, got "${format}"`);
    if (args.positionals.length < 1 || args.positionals.length > 2) throw new UsageError('expects IMAGE and an optional SIZE');
    const [image, sizeText] = args.positionals;
    const opts = createOptions(args);
    if (sizeText !== undefined) opts.virtualSizeBytes = sizeArg(sizeText, 'SIZE');
    try {
      await new BuiltinEngine().create({ path: image }, opts);
    } catch (err) {
      if (!isEngineError(err)) throw err;
      process.stderr.write(`crashcow create: ${image}: ${err.detail}\n`);
      return 1;
    }
    if (!args.flags.has('quiet')) process.stdout.write(formattingLine(image, opts) + '\n');
    return 0;
  },
};

/** A size argument; throws UsageError naming the argument and the accepted suffixes. */
export function sizeArg(text: string, what: string): number {
  const v = parseSizeBytes(text);
  if (typeof v === 'number') return v;
  throw new UsageError(`invalid ${what} "${text}": expected a non-negative number with an optional k, M, G, T, P or E suffix${v === 'too-large' ? ' below 2^53' : ''}`);
}

/** `--mutant NAME` values, checked; throws UsageError for an unknown name. */
export function mutantArgs(args: ParsedArgs): MutantName[] {
  const names = args.flags.get('mutant') ?? [];
  for (const n of names) if (!isMutantName(n)) throw new UsageError(`unknown mutant "${n}"; run 'crashcow mutants' for the list`);
  return names as MutantName[];
}

function createOptions(args: ParsedArgs): CreateOptions {
  const opts: CreateOptions = { mutants: mutantArgs(args) };
  for (const pair of (args.flags.get('options') ?? []).join(',').split(',').filter((p) => p.length > 0)) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? 'on' : pair.slice(eq + 1);
    applyOption(opts, key, value);
  }
  const backing = flagValue(args, 'backing');
  if (backing !== undefined) opts.backingFile = backing;
  const fmt = flagValue(args, 'backing-format');
  if (fmt !== undefined) opts.backingFormat = backingFormat(fmt);
  return opts;
}

function applyOption(opts: CreateOptions, key: string, value: string): void {
  const onOff = (): boolean => {
    if (['on', 'true', 'yes'].includes(value)) return true;
    if (['off', 'false', 'no'].includes(value)) return false;
    throw new UsageError(`option ${key} must be on or off, got "${value}"`);
  };
  switch (key) {
    case 'cluster_size':
      opts.clusterSizeBytes = sizeArg(value, 'cluster_size');
      return;
    case 'refcount_bits':
      opts.refcountBits = sizeArg(value, 'refcount_bits');
      return;
    case 'compat':
      if (value === '0.10' || value === 'v2') opts.compat = '0.10';
      else if (value === '1.1' || value === 'v3') opts.compat = '1.1';
      else throw new UsageError(`compat must be 0.10 or 1.1, got "${value}"`);
      return;
    case 'lazy_refcounts':
      opts.lazyRefcounts = onOff();
      return;
    case 'extended_l2':
      opts.extendedL2 = onOff();
      return;
    case 'compression_type':
      if (value !== 'zlib' && value !== 'zstd') throw new UsageError(`compression_type must be zlib or zstd, got "${value}"`);
      opts.compressionType = value;
      return;
    case 'backing_file':
      opts.backingFile = value;
      return;
    case 'backing_fmt':
      opts.backingFormat = backingFormat(value);
      return;
    case 'size':
      opts.virtualSizeBytes = sizeArg(value, 'size');
      return;
    default:
      throw new UsageError(`invalid parameter '${key}'`);
  }
}

function backingFormat(value: string): 'qcow2' | 'raw' {
  if (value !== 'qcow2' && value !== 'raw') throw new UsageError(`backing format must be qcow2 or raw, got "${value}"`);
  return value;
}

/** qemu-img create's "Formatting ..." line. */
function formattingLine(image: string, o: CreateOptions): string {
  const parts = [`Formatting '${image}', fmt=qcow2`, `cluster_size=${o.clusterSizeBytes ?? 65536}`, `extended_l2=${o.extendedL2 ? 'on' : 'off'}`, `compression_type=${o.compressionType ?? 'zlib'}`];
  if (o.virtualSizeBytes !== undefined) parts.push(`size=${o.virtualSizeBytes}`);
  if (o.backingFile !== undefined) parts.push(`backing_file=${o.backingFile}`, `backing_fmt=${o.backingFormat ?? ''}`);
  if (o.compat === '0.10') parts.push('compat=0.10');
  parts.push(`lazy_refcounts=${o.lazyRefcounts ? 'on' : 'off'}`, `refcount_bits=${o.refcountBits ?? 16}`);
  return parts.join(' ');
}
