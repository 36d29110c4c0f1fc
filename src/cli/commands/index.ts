/** The registry of crashcow commands, in the order `crashcow help` lists them. */
import type { Command } from '../command.js';
import { checkCommand } from './check.js';
import { convertCommand } from './convert.js';
import { createCommand } from './create.js';
import { crashStatesCommand } from './crash-states.js';
import { fuzzCommand } from './fuzz.js';
import { infoCommand } from './info.js';
import { ioCommand } from './io.js';
import { mapCommand } from './map.js';
import { mutantsCommand } from './mutants.js';
import { replayCommand } from './replay.js';
import { replayLogCommand } from './replay-log.js';
import { resizeCommand } from './resize.js';
import { snapshotCommand } from './snapshot.js';

export const commands: Command[] = [
  checkCommand,
  infoCommand,
  mapCommand,
  convertCommand,
  replayLogCommand,
  crashStatesCommand,
  createCommand,
  ioCommand,
  snapshotCommand,
  resizeCommand,
  mutantsCommand,
  fuzzCommand,
  replayCommand,
];
