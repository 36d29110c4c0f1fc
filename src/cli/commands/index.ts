/** The registry of crashcow commands, in the order `crashcow help` lists them. */
import type { Command } from '../command.js';
import { crashStatesCommand } from './crash-states.js';
import { replayLogCommand } from './replay-log.js';

export const commands: Command[] = [
  replayLogCommand,
  crashStatesCommand,
];
