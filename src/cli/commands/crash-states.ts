/** `crashcow crash-states`: writes the crash states a dm-log-writes log allows, as images plus index.json. */
import { extname } from 'node:path';
import { CrashPlan, DEFAULT_MAX_STATES } from '../../storage/crash-states/crash-plan.js';
import { writeCrashStates } from '../../storage/crash-states/write-crash-states.js';
import { decodeLog } from '../../storage/dm-log-writes/decode-log.js';
import { logToOps } from '../../storage/dm-log-writes/log-ops.js';
import { FileDevice } from '../../storage/file-device.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import type { Command } from '../command.js';
import { flagChoice, flagInt, flagValue, parseArgs, type ParsedArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

function required(args: ParsedArgs, name: string): string {
  const value = flagValue(args, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export const crashStatesCommand: Command = {
  name: 'crash-states',
  summary: 'write the images a crash may leave during a dm-log-writes log, with index.json',
  usage: 'crashcow crash-states --log LOG --image START --out DIR [--max N] [--seed S] [--sector 512|4096] [--mode sample|flush-points]',
  async run(argv) {
    const args = parseArgs(argv, ['log', 'image', 'out', 'max', 'seed', 'sector', 'mode'].map((name) => ({ name, takesValue: true })));
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const logPath = required(args, 'log');
    const imagePath = required(args, 'image');
    const outDir = required(args, 'out');
    const maxStates = flagInt(args, 'max', DEFAULT_MAX_STATES);
    if (maxStates < 1) throw new UsageError('--max must be at least 1');
    const seed = flagInt(args, 'seed', 0);
    if (seed > 0xffffffff) throw new UsageError(`--seed must fit in 32 bits, got ${seed}`);
    const sectorSizeBytes = Number(flagChoice(args, 'sector', ['512', '4096'] as const, '512'));
    const mode = flagChoice(args, 'mode', ['sample', 'flush-points'] as const, 'sample');
    const logDev = new FileDevice(logPath, { readonly: true });
    const base = new FileDevice(imagePath, { readonly: true });
    try {
      const log = toByteSource(logDev);
      const decoded = decodeLog(log);
      const { ops, entryIndexOfOp } = logToOps(log, decoded, base.sizeBytes);
      const plan = new CrashPlan(base, ops, { mode, maxStates, seed, sectorSizeBytes });
      process.stderr.write(`crash-states: ${decoded.entries.length} log entries, ${ops.length} operations, ${plan.crashPoints().length} crash points\n`);
      const index = writeCrashStates({
        plan,
        outDir,
        entryIndexOfOp,
        entryCount: decoded.entries.length,
        logPath,
        imagePath,
        extension: extname(imagePath) || '.img',
        progress: (done, total) => {
          if (done % 256 === 0) process.stderr.write(`crash-states: ${done}/${total} states\n`);
        },
      });
      process.stdout.write(`wrote ${index.states.length} crash images (${index.duplicatesSkipped} duplicates skipped) and index.json to ${outDir}\n`);
    } finally {
      logDev.close();
      base.close();
    }
    return 0;
  },
};
