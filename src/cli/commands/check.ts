/**
 * crashcow check [-r leaks|all] [--output human|json] IMAGE: judges an image against the qcow2 spec with
 * qemu-img check's counters and exit codes (0 clean, 1 check not completed, 2 corruptions,
 * 3 leaks only), plus findings named by rule. Opens the image read-only and never writes it, unless
 * -r leaks|all asks for a repair first (then the report is the check after it, with the repairs).
 */
import { checkImage } from '../../check/check-image.js';
import { exitCodeOf } from '../../check/check-report.js';
import { formatHuman } from '../../check/format-human.js';
import { FileByteSource } from '../../io/file-byte-source.js';
import type { Command } from '../command.js';
import { isRepairMode } from '../../repair/repair-mode.js';
import { flagChoice, flagValue, parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'judge an image against the qcow2 spec (qemu-img check counters, findings by rule)',
  usage: 'crashcow check [-r leaks|all] [--output human|json] IMAGE',
  usageExitCode: 1,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'output', takesValue: true },
      { name: 'repair', short: 'r', takesValue: true },
    ]);
    const repair = flagValue(args, 'repair');
    if (repair !== undefined && !isRepairMode(repair)) throw new UsageError(`-r must be leaks or all, got "${repair}"`);
    const output = flagChoice(args, 'output', ['human', 'json'] as const, 'human');
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing IMAGE' : 'check takes exactly one IMAGE');
    const path = args.positionals[0];
    // The repair modules load only with -r: a read-only check should not pay for them.
    const repairing = repair === undefined ? null : await import('./repaired-report.js');
    const repaired = repairing === null || repair === undefined ? null : repairing.repairFile(path, repair);
    const source = new FileByteSource(path);
    try {
      const checked = checkImage(source, path);
      const report = repaired === null || repairing === null ? checked : repairing.repairedReport(checked, repaired);
      if (repaired !== null && repairing !== null && output === 'human') process.stdout.write(repairing.formatRepairHuman(repaired));
      process.stdout.write(output === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatHuman(report));
      return exitCodeOf(report);
    } finally {
      source.close();
    }
  },
};
