/**
 * `crashcow export CASE.json --iotest DIR [--form image|poke] [--qemu DIR]`: writes a
 * qemu-iotests-style test of a QEMU case into DIR (src/export): a bash script that needs only
 * bash, coreutils, bzip2, diff, sed, awk, qemu-img and qemu-io, its expected output (what a QEMU
 * that keeps the crash properties prints) and the crash state as a bzip2 image (a damage case:
 * the clean image, damaged by the script; --form poke: no image, the script builds it). The case is
 * validated against its schema first, as replay does. Exit 0 when written, 2 for a usage mistake,
 * an invalid case, QEMU that cannot run, or a case that cannot be exported in that form (saying why).
 */
import { isFormatError } from '../../../spec/format/format-error.js';
import { isCaseReadError, isInvalidCaseError, readCase, type FuzzCase } from '../../fuzz/case/fuzz-case.js';
import { makeTarget } from '../../fuzz/target/make-target.js';
import { isSetupError } from '../../fuzz/target/setup-error.js';
import { printable } from '../../explain/format-explanation.js';
import { isExportRefusal } from '../../export/export-refusal.js';
import { planIotest } from '../../export/iotest-plan.js';
import { planPoke } from '../../export/poke-plan.js';
import { iotestName, writeIotest } from '../../export/write-iotest.js';
import type { Command } from '../command.js';
import { flagValue, parseArgs } from '../parse-args.js';
import { qemuFlagSpec, qemuFlagValue, resolveQemuOrReport } from '../qemu-flag.js';
import { UsageError } from '../usage-error.js';

const EXIT_CANNOT = 2;

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a QEMU case as a qemu-iotests-style test (bash, bzip2, qemu-img and qemu-io only) into DIR',
  usage: 'crashcow export CASE.json --iotest DIR [--form image|poke] [--qemu DIR]',
  async run(argv) {
    const args = parseArgs(argv, [{ name: 'iotest', takesValue: true }, { name: 'form', takesValue: true }, qemuFlagSpec()]);
    if (args.positionals.length !== 1) throw new UsageError('give exactly one case file');
    const dir = flagValue(args, 'iotest');
    if (dir === undefined || dir === '') throw new UsageError('give the folder to write the test into: --iotest DIR');
    const form = flagValue(args, 'form') ?? 'image';
    if (form !== 'image' && form !== 'poke') throw new UsageError(`--form must be image or poke, not "${printable(form)}"`);
    const path = args.positionals[0];
    let c: FuzzCase;
    try {
      c = readCase(path);
    } catch (err) {
      if (!isCaseReadError(err)) throw err;
      process.stderr.write(`crashcow export: ${printable((err as Error).message)}\n`);
      return EXIT_CANNOT;
    }
    if (c.engine.name !== 'qemu') {
      process.stderr.write(`crashcow export: ${printable(path)}: only QEMU cases export as iotests (this case ran on the ${c.engine.name} engine)\n`);
      return EXIT_CANNOT;
    }
    const qemu = await resolveQemuOrReport('export', qemuFlagValue(args));
    if (qemu === null) return EXIT_CANNOT;
    let target;
    try {
      target = await makeTarget('qemu', [], qemu);
    } catch (err) {
      if (!isSetupError(err)) throw err;
      process.stderr.write(`crashcow export: ${err.message}\n`);
      return EXIT_CANNOT;
    }
    try {
      const plan = await planIotest(c, target, path);
      const name = iotestName(c.name, path);
      const poke = form === 'poke' ? await planPoke(plan, qemu) : null;
      const files = writeIotest(plan, dir, name, poke);
      process.stdout.write(`${files.map(printable).join('\n')}\n`);
      return 0;
    } catch (err) {
      if (isExportRefusal(err)) {
        process.stderr.write(`crashcow export: ${printable(err.message)}\n`);
        return EXIT_CANNOT;
      }
      if (!isFormatError(err) && !isInvalidCaseError(err)) throw err;
      process.stderr.write(`crashcow export: ${printable(path)}: invalid case: ${printable((err as Error).message)}\n`);
      return EXIT_CANNOT;
    } finally {
      await target.dispose();
    }
  },
};
