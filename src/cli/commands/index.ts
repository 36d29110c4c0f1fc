/** The registry of crashcow commands, in the order `crashcow help` lists them. */
import type { Command } from '../command.js';

export const commands: Command[] = [];
