/** The registry of crashcow commands, in the order `crashcow help` lists them. */
import type { Command } from '../command.js';
import { checkCommand } from './check.js';
import { convertCommand } from './convert.js';
import { crashStatesCommand } from './crash-states.js';
import { infoCommand } from './info.js';
import { mapCommand } from './map.js';
import { replayLogCommand } from './replay-log.js';

export const commands: Command[] = [
  checkCommand,
  infoCommand,
  mapCommand,
  convertCommand,
  replayLogCommand,
  crashStatesCommand,
];
