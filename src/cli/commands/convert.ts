/**
 * `crashcow convert [--no-follow] IMAGE OUT.raw`: writes the guest view of IMAGE (with its backing
 * chain and external data file) as a raw file, sparse where the guest reads zeros. Byte for byte
 * what `qemu-img convert -O raw IMAGE OUT.raw` writes.
 */
import { openImage } from '../../image/open-image.js';
import { writeRaw } from '../../image/write-raw.js';
import type { Command } from '../command.js';
import { parseArgs } from '../parse-args.js';
import { positionals, withImageErrors } from './image-command.js';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'write the guest view of an image (with its backing chain) as a raw file',
  usage: 'crashcow convert [--no-follow] IMAGE OUT.raw',
  run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [{ name: 'no-follow', takesValue: false }]);
    const [path, outPath] = positionals(args, ['IMAGE', 'OUT.raw']);
    return withImageErrors('convert', () => {
      const image = openImage(path, { noFollow: args.flags.has('no-follow') });
      try {
        writeRaw(image, outPath);
        return 0;
      } finally {
        image.close();
      }
    });
  },
};
