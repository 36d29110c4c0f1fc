/** crashcow mutants: lists the built-in engine's mutants, one per line: name, then what it breaks. */
import { mutantSpecs } from '../../engine/mutants.js';
import type { Command } from '../command.js';
import { parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

export const mutantsCommand: Command = {
  name: 'mutants',
  summary: 'list the engine mutants (deliberately broken variants) for --mutant',
  usage: 'crashcow mutants',
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, []);
    if (args.positionals.length > 0) throw new UsageError('mutants takes no arguments');
    const width = Math.max(...mutantSpecs.map((m) => m.name.length));
    for (const m of mutantSpecs) process.stdout.write(`${m.name.padEnd(width)}  ${m.description} (${m.rules.join(', ')}; ${m.factsId})\n`);
    return 0;
  },
};
