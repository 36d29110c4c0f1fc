/** `crashcow replay-log`: replays a dm-log-writes log (QEMU blklogwrites, dm-log-writes) onto a copy of an image. */
import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeLog } from '../../storage/dm-log-writes/decode-log.js';
import { replayLog } from '../../storage/dm-log-writes/replay-log.js';
import { FileDevice } from '../../storage/file-device.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import type { Command } from '../command.js';
import { flagInt, flagValue, parseArgs, type ParsedArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

function required(args: ParsedArgs, name: string): string {
  const value = flagValue(args, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export const replayLogCommand: Command = {
  name: 'replay-log',
  summary: 'replay a dm-log-writes log onto a copy of the starting image',
  usage: 'crashcow replay-log --log LOG --image START [--to ENTRY] --out IMAGE',
  async run(argv) {
    const args = parseArgs(argv, [
      { name: 'log', takesValue: true },
      { name: 'image', takesValue: true },
      { name: 'to', takesValue: true },
      { name: 'out', takesValue: true },
    ]);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const logPath = required(args, 'log');
    const imagePath = required(args, 'image');
    const outPath = required(args, 'out');
    if (resolve(outPath) === resolve(imagePath)) throw new UsageError('--out must differ from --image (the starting image is never changed)');
    const logDev = new FileDevice(logPath, { readonly: true });
    try {
      const log = toByteSource(logDev);
      const decoded = decodeLog(log);
      const lastIndex = decoded.entries.length - 1;
      const to = flagInt(args, 'to', lastIndex);
      if (to > lastIndex) throw new UsageError(`--to ${to}, but the log has ${decoded.entries.length} entries (0..${lastIndex})`);
      copyFileSync(imagePath, outPath);
      const out = new FileDevice(outPath);
      try {
        const applied = replayLog(log, decoded, out, to);
        out.flush();
        process.stdout.write(`replayed entries 0..${to} of ${decoded.entries.length} (${applied} operations) onto ${outPath} (${out.sizeBytes} bytes)\n`);
      } finally {
        out.close();
      }
    } finally {
      logDev.close();
    }
    return 0;
  },
};
