/**
 * Shared plumbing of the commands that open an image (info, map, convert): positional checks and
 * turning an ImageError into one line on stderr with exit code 1.
 */
import { isImageError } from '../../image/image-error.js';
import type { ParsedArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

/** The positionals, exactly `names.length` of them; throws UsageError naming what is missing. */
export function positionals(args: ParsedArgs, names: readonly string[]): string[] {
  if (args.positionals.length < names.length) throw new UsageError(`missing ${names.slice(args.positionals.length).join(' and ')}`);
  if (args.positionals.length > names.length) throw new UsageError(`unexpected argument "${args.positionals[names.length]}"`);
  return args.positionals;
}

/** Runs `body`; an ImageError becomes "crashcow NAME: message" on stderr and exit code 1. */
export async function withImageErrors(commandName: string, body: () => number | Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!isImageError(err)) throw err;
    process.stderr.write(`crashcow ${commandName}: ${err.message}\n`);
    return 1;
  }
}

/** Writes to stdout and resolves once the data is handed to the OS (so large outputs do not pile up). */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}
