/**
 * `crashcow map [--output human|json] [--no-follow] IMAGE`: the guest disk's extents with the
 * fields and merging of `qemu-img map` (QEMU 7.2): start, length, depth, present, zero, data and,
 * where the bytes have one, offset. JSON output is an array, one extent per line.
 */
import { mapExtents, type MapExtent } from '../../../spec/semantics/map-extents.js';
import { openImage } from '../../image/open-image.js';
import type { Command } from '../command.js';
import { flagChoice, parseArgs } from '../parse-args.js';
import { positionals, withImageErrors, writeOut } from './image-command.js';

const FLUSH_CHARS = 1 << 16;

export const mapCommand: Command = {
  name: 'map',
  summary: 'list guest extents (depth, zero, data, host offset) like qemu-img map',
  usage: 'crashcow map [--output human|json] [--no-follow] IMAGE',
  run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'output', takesValue: true },
      { name: 'no-follow', takesValue: false },
    ]);
    const output = flagChoice(args, 'output', ['human', 'json'] as const, 'human');
    const [path] = positionals(args, ['IMAGE']);
    return withImageErrors('map', async () => {
      const image = openImage(path, { noFollow: args.flags.has('no-follow') });
      try {
        await (output === 'json' ? printJson(mapExtents(image.top)) : printHuman(mapExtents(image.top)));
        return 0;
      } finally {
        image.close();
      }
    });
  },
};

/** The JSON of one extent, keys in qemu-img's order. */
function extentJson(e: MapExtent): string {
  const fields = { start: e.start, length: e.length, depth: e.depth, present: e.present, zero: e.zero, data: e.data };
  return JSON.stringify(e.offset === undefined ? fields : { ...fields, offset: e.offset });
}

async function printJson(extents: Iterable<MapExtent>): Promise<void> {
  let text = '[';
  let first = true;
  for (const e of extents) {
    text += (first ? '' : ',\n') + extentJson(e);
    first = false;
    if (text.length >= FLUSH_CHARS) {
      await writeOut(text);
      text = '';
    }
  }
  await writeOut(text + ']\n');
}

/**
 * qemu-img's human layout: only ranges holding data are listed, with their host offset and file.
 * Compressed ranges (qemu-img refuses to list them) show "compressed" instead of an offset.
 */
async function printHuman(extents: Iterable<MapExtent>): Promise<void> {
  let text = 'Offset          Length          Mapped to       File\n';
  for (const e of extents) {
    if (!e.data || e.zero) continue;
    const mapped = e.offset === undefined ? 'compressed' : hex(e.offset);
    text += `${hex(e.start).padEnd(16)}${hex(e.length).padEnd(16)}${mapped.padEnd(16)}${e.file ?? ''}\n`;
    if (text.length >= FLUSH_CHARS) {
      await writeOut(text);
      text = '';
    }
  }
  await writeOut(text);
}

function hex(n: number): string {
  return n === 0 ? '0' : '0x' + n.toString(16);
}
