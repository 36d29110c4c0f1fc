/**
 * crashcow io [-f qcow2] [-t CACHE] [-r] [-q] [--mutant NAME]... -c CMD [-c CMD]... IMAGE: qemu-io's
 * syntax, output lines and exit status (1 when any command failed), done by the built-in engine.
 * Commands: write [-P pattern] [-z [-u]] [-c] OFF LEN, read [-P pattern] OFF LEN, discard OFF LEN, flush.
 */
import { performance } from 'node:perf_hooks';
import { checkImage } from '../../check/check-image.js';
import { dirtyOpenRepair } from '../../repair/repair-hook.js';
import { BuiltinEngine } from '../../engine/builtin/builtin-engine.js';
import type { CacheMode, EngineImage } from '../../engine/engine.js';
import { isEngineError } from '../../engine/engine-error.js';
import { parseIoCommand } from '../../engine/script/io-command.js';
import { runIoCommand } from '../../engine/script/run-io-command.js';
import type { Command } from '../command.js';
import { flagValue, parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { mutantArgs } from './create.js';

const CACHE_MODES: Record<string, CacheMode> = { writeback: 'writeback', none: 'writeback', unsafe: 'writeback', writethrough: 'writethrough', directsync: 'writethrough' };

export const ioCommand: Command = {
  name: 'io',
  summary: 'run qemu-io commands (write, read -P, discard, flush) on an image with the built-in engine',
  usage: 'crashcow io [-f qcow2] [-t writeback|writethrough|none|unsafe|directsync] [-r] [-q] [--mutant NAME]... -c CMD [-c CMD]... IMAGE',
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'format', short: 'f', takesValue: true },
      { name: 'cache', short: 't', takesValue: true },
      { name: 'read-only', short: 'r', takesValue: false },
      { name: 'quiet', short: 'q', takesValue: false },
      { name: 'cmd', short: 'c', takesValue: true, repeatable: true },
      { name: 'mutant', takesValue: true, repeatable: true },
    ]);
    const format = flagValue(args, 'format') ?? 'qcow2';
    if (format !== 'qcow2') throw new UsageError(`only -f qcow2 is supported, got "${format}"`);
    const cacheName = flagValue(args, 'cache') ?? 'writethrough';
    const cacheMode = CACHE_MODES[cacheName];
    if (!cacheMode) throw new UsageError(`unknown cache mode "${cacheName}"`);
    if (args.positionals.length !== 1) throw new UsageError('expects exactly one IMAGE');
    const commands = args.flags.get('cmd') ?? [];
    if (commands.length === 0) throw new UsageError('interactive mode is not supported; give commands with -c');
    const path = args.positionals[0];
    let image: EngineImage;
    try {
      image = await new BuiltinEngine().open({ path }, { readOnly: args.flags.has('read-only'), cacheMode, mutants: mutantArgs(args), repair: dirtyOpenRepair(checkImage) });
    } catch (err) {
      if (!isEngineError(err)) throw err;
      process.stderr.write(`crashcow io: ${path}: ${err.detail}\n`);
      return 1;
    }
    try {
      return await runAll(image, commands, args.flags.has('quiet'));
    } finally {
      await image.close();
    }
  },
};

async function runAll(image: EngineImage, commands: string[], quiet: boolean): Promise<number> {
  let failed = false;
  const elapsedSeconds = async (run: () => Promise<void>): Promise<number> => {
    const start = performance.now();
    await run();
    return (performance.now() - start) / 1000; // display only, never a decision
  };
  for (const text of commands) {
    const cmd = parseIoCommand(text);
    if (cmd.kind === 'parse-error') {
      (cmd.stream === 'stderr' ? process.stderr : process.stdout).write(cmd.line + '\n');
      failed = true;
      continue;
    }
    if (quiet && cmd.kind !== 'flush') cmd.quiet = true;
    const r = await runIoCommand(image, cmd, { elapsedSeconds });
    for (const line of r.stdout) process.stdout.write(line + '\n');
    for (const line of r.stderr) process.stderr.write(line + '\n');
    failed ||= !r.ok;
  }
  return failed ? 1 : 0;
}
