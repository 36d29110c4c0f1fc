/**
 * `crashcow info [--output human|json] [--no-follow] IMAGE`: the facts of `qemu-img info` that
 * crashcow knows, with its JSON field names. Info never opens a backing or data file, so
 * --no-follow changes nothing here; it is accepted so every image command takes it.
 */
import { imageInfo } from '../../image/image-info.js';
import type { Command } from '../command.js';
import { flagChoice, parseArgs } from '../parse-args.js';
import { positionals, withImageErrors, writeOut } from './image-command.js';
import { formatInfoHuman } from './info-human.js';

export const infoCommand: Command = {
  name: 'info',
  summary: 'show image facts (sizes, backing file, snapshots, features) like qemu-img info',
  usage: 'crashcow info [--output human|json] [--no-follow] IMAGE',
  run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'output', takesValue: true },
      { name: 'no-follow', takesValue: false },
    ]);
    const output = flagChoice(args, 'output', ['human', 'json'] as const, 'human');
    const [path] = positionals(args, ['IMAGE']);
    return withImageErrors('info', async () => {
      const info = imageInfo(path);
      await writeOut(output === 'json' ? JSON.stringify(info, null, 4) + '\n' : formatInfoHuman(info));
      return 0;
    });
  },
};
