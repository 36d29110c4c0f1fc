#!/usr/bin/env node
/**
 * crashcow entry point: dispatches `crashcow <command> ...` to src/cli/commands/*.
 * Prints user mistakes and format errors as one line; never a stack trace for those.
 */
import { isFormatError } from '../../spec/format/format-error.js';
import type { Command } from './command.js';
import { commandEntries } from './commands/index.js';
import { isUsageError } from './usage-error.js';

async function printHelp(): Promise<void> {
  const lines = ['usage: crashcow <command> [options]', '', 'commands:'];
  for (const entry of commandEntries) lines.push(`  ${entry.name.padEnd(14)} ${(await entry.load()).summary}`);
  lines.push('', "run 'crashcow <command> --help' for a command's options");
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    await printHelp();
    return name === undefined ? 2 : 0;
  }
  const entry = commandEntries.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`crashcow: unknown command "${name}"; run 'crashcow help'\n`);
    return 2;
  }
  const cmd: Command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (isUsageError(err)) {
      process.stderr.write(`crashcow ${cmd.name}: ${err.message}\nusage: ${cmd.usage}\n`);
      return cmd.usageExitCode ?? 2;
    }
    if (isFormatError(err)) {
      process.stderr.write(`crashcow ${cmd.name}: ${err.message}\n`);
      return 1;
    }
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      // An OS error on a path the user gave (ENOENT, EACCES, EISDIR ...): a user-facing message.
      process.stderr.write(`crashcow ${cmd.name}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`crashcow: internal error (a bug, please report it):\n${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
