/**
 * crashcow check [--output human|json] IMAGE: judges an image against the qcow2 spec with
 * qemu-img check's counters and exit codes (0 clean, 1 check not completed, 2 corruptions,
 * 3 leaks only), plus findings named by rule. Opens the image read-only and never writes it.
 */
import { checkImage } from '../../check/check-image.js';
import { exitCodeOf } from '../../check/check-report.js';
import { formatHuman } from '../../check/format-human.js';
import { FileByteSource } from '../../io/file-byte-source.js';
import type { Command } from '../command.js';
import { flagChoice, parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'judge an image against the qcow2 spec (qemu-img check counters, findings by rule)',
  usage: 'crashcow check [--output human|json] IMAGE',
  usageExitCode: 1,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'output', takesValue: true },
      { name: 'repair', short: 'r', takesValue: true },
    ]);
    if (args.flags.has('repair')) throw new UsageError('repair (-r leaks|all) is not available yet; crashcow check only reads the image');
    const output = flagChoice(args, 'output', ['human', 'json'] as const, 'human');
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing IMAGE' : 'check takes exactly one IMAGE');
    const path = args.positionals[0];
    const source = new FileByteSource(path);
    try {
      const report = checkImage(source, path);
      process.stdout.write(output === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatHuman(report));
      return exitCodeOf(report);
    } finally {
      source.close();
    }
  },
};
