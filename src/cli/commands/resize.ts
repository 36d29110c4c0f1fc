/**
 * crashcow resize [--shrink] [-f qcow2] [--mutant NAME]... IMAGE [+|-]SIZE: qemu-img resize's syntax
 * and message ("Image resized."), done by the built-in engine. Shrinking needs --shrink.
 */
import { checkImage } from '../../check/check-image.js';
import { dirtyOpenRepair } from '../../repair/repair-hook.js';
import { BuiltinEngine } from '../../engine/builtin/builtin-engine.js';
import { isEngineError } from '../../engine/engine-error.js';
import type { Command } from '../command.js';
import { flagValue, parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { mutantArgs, sizeArg } from './create.js';

export const resizeCommand: Command = {
  name: 'resize',
  summary: 'change the virtual size of an image (qemu-img resize syntax)',
  usage: 'crashcow resize [--shrink] [-f qcow2] [-q] [--mutant NAME]... IMAGE [+|-]SIZE',
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'shrink', takesValue: false },
      { name: 'format', short: 'f', takesValue: true },
      { name: 'quiet', short: 'q', takesValue: false },
      { name: 'mutant', takesValue: true, repeatable: true },
    ]);
    const format = flagValue(args, 'format') ?? 'qcow2';
    if (format !== 'qcow2') throw new UsageError(`only -f qcow2 is supported, got "${format}"`);
    if (args.positionals.length !== 2) throw new UsageError('expects IMAGE and SIZE');
    const [path, sizeText] = args.positionals;
    const sign = sizeText.startsWith('+') ? 1 : sizeText.startsWith('-') ? -1 : 0;
    const amount = sizeArg(sign === 0 ? sizeText : sizeText.slice(1), 'SIZE');
    const mutants = mutantArgs(args);
    const image = await new BuiltinEngine().open({ path }, { cacheMode: 'writeback', mutants, repair: dirtyOpenRepair(checkImage) }).catch((err: unknown) => {
      if (!isEngineError(err)) throw err;
      process.stderr.write(`crashcow resize: ${path}: ${err.detail}\n`);
      return undefined;
    });
    if (!image) return 1;
    try {
      const target = sign === 0 ? amount : image.virtualSizeBytes + sign * amount;
      if (target < 0) throw new UsageError(`SIZE ${sizeText} would make the image smaller than 0 bytes`);
      if (target < image.virtualSizeBytes && !args.flags.has('shrink')) {
        process.stderr.write('crashcow resize: Use the --shrink option to perform a shrink operation.\n');
        return 1;
      }
      await image.resize(target, { shrink: true });
      if (!args.flags.has('quiet')) process.stdout.write('Image resized.\n');
      return 0;
    } catch (err) {
      if (!isEngineError(err)) throw err;
      process.stderr.write(`crashcow resize: ${path}: ${err.detail}\n`);
      return 1;
    } finally {
      await image.close();
    }
  },
};
