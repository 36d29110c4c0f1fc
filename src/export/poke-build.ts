/**
 * pokeBuildOf: how the `--form poke` script builds the image before the crash: the qemu-img create
 * arguments of the case's image options and the qemu-io commands of the case's operations up to
 * the last flush before the crash, each write's bytes in a file of its own. Every word is a
 * number, a fixed word or a file name chosen here; nothing from the case is ever a word as it is.
 * Refuses (ExportRefusal) operations the build cannot run with qemu-io alone.
 */
import type { CacheMode } from '../engine/engine.js';
import type { FuzzCase } from '../fuzz/case/fuzz-case.js';
import { writeContent } from '../fuzz/content/content-tag.js';
import { BACKING_FILE_NAME } from '../fuzz/image-options.js';
import { ExportRefusal } from './export-refusal.js';

/** The image file the script builds and judges (in its temporary folder). */
export const POKE_IMAGE_FILE = 'crash.qcow2';

export interface PokeWriteFile {
  fileName: string;
  writeId: number;
  bytes: Uint8Array;
}

export interface PokeBuild {
  /** `qemu-img` arguments that create the image (the file is POKE_IMAGE_FILE, in the current folder). */
  createArgs: string[];
  /** The cache mode qemu-io opens the image with, as the replay did. */
  cacheMode: CacheMode;
  /** qemu-io `-c` commands, in order; the last one kills qemu-io without a close. */
  ioCommands: string[];
  /** The bytes of each write, read by `write -s`. */
  writeFiles: PokeWriteFile[];
  /** Case operations the build runs (those before the cut, flushes included). */
  opsBuilt: number;
}

/** qemu-io's command that ends the process at once (SIGKILL): nothing is flushed or closed. */
export const KILL_COMMAND = 'sigraise 9';

const CACHE_MODES: readonly CacheMode[] = ['writeback', 'writethrough'];

/**
 * The build of case `c` (a one-crash QEMU case without an I/O-error fault).
 * @throws ExportRefusal naming the operation or option the build cannot reproduce
 */
export function pokeBuildOf(c: FuzzCase, casePath: string): PokeBuild {
  const refuse = (why: string): never => {
    throw new ExportRefusal(`${casePath}: --form poke cannot build this case's layout: ${why}; use --form image`);
  };
  const o = c.image;
  if (c.fault?.kind === 'eio') refuse('its I/O-error fault needs blkdebug rules at a chosen request, which plain qemu-io cannot inject');
  if (o.fillBytes) refuse('its image is filled before the run, which the script has no step for');
  if (!CACHE_MODES.includes(o.cacheMode)) refuse('its cache mode is not one qemu-io takes');
  const ops = c.operations.slice(0, -1);
  if (ops.some((op) => op.kind === 'crash')) refuse('it crashes more than once, and qemu-io cannot stop at one crash state and go on from it');
  const cut = ops.map((op) => op.kind).lastIndexOf('flush') + 1;
  const createOpts = [`cluster_size=${int(o.clusterSizeBytes)}`, `compat=${o.compat === '0.10' ? '0.10' : '1.1'}`];
  if (o.compat !== '0.10') createOpts.push(`refcount_bits=${int(o.refcountBits)}`, `lazy_refcounts=${o.lazyRefcounts ? 'on' : 'off'}`, `extended_l2=${o.extendedL2 ? 'on' : 'off'}`);
  const createArgs = ['create', '-q', '-f', 'qcow2', '-o', createOpts.join(',')];
  if (o.backing) createArgs.push('-b', BACKING_FILE_NAME, '-F', o.backing.format === 'raw' ? 'raw' : 'qcow2');
  createArgs.push(POKE_IMAGE_FILE, String(int(o.virtualSizeBytes)));
  const ioCommands: string[] = [];
  const writeFiles: PokeWriteFile[] = [];
  ops.slice(0, cut).forEach((op, i) => {
    switch (op.kind) {
      case 'write': {
        const fileName = `write${int(op.writeId)}.bin`;
        writeFiles.push({ fileName, writeId: op.writeId, bytes: writeContent(c.contentSeed, op.writeId, int(op.offsetBytes), int(op.lengthBytes)) });
        ioCommands.push(`write -q -s ${fileName} ${int(op.offsetBytes)} ${int(op.lengthBytes)}`);
        return;
      }
      case 'write-zeroes':
        ioCommands.push(`write -q -z ${op.unmap ? '-u ' : ''}${int(op.offsetBytes)} ${int(op.lengthBytes)}`);
        return;
      case 'discard':
        ioCommands.push(`discard -q ${int(op.offsetBytes)} ${int(op.lengthBytes)}`);
        return;
      case 'flush':
        ioCommands.push('flush');
        return;
      case 'reopen':
        ioCommands.push('close', `open -t ${o.cacheMode} -o driver=qcow2,file.filename=${POKE_IMAGE_FILE}`);
        return;
      default:
        refuse(`operation ${i + 1} (${op.kind}) comes before the last flush, and the script builds only writes, zero writes, discards, flushes and reopens with qemu-io${op.kind === 'snapshot-create' ? ' (a snapshot records the time it was made, so its bytes differ on every run)' : ''}`);
    }
  });
  ioCommands.push(KILL_COMMAND);
  return { createArgs, cacheMode: o.cacheMode, ioCommands, writeFiles, opsBuilt: cut };
}

/** `n` when it is a non-negative safe integer (the schema says so; a script word must be sure). */
function int(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new ExportRefusal(`not a byte count a script can hold: ${String(n)}`);
  return n;
}
