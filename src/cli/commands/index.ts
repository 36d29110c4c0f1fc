/**
 * The registry of crashcow commands, in the order `crashcow help` lists them.
 *
 * Each command module is imported only when that command runs: a `crashcow check` must not pay
 * for loading the engine, the fuzzer and the storage layer, which would make most of its start-up.
 */
import type { Command } from '../command.js';

interface CommandEntry {
  name: string;
  load: () => Promise<Command>;
}

export const commandEntries: CommandEntry[] = [
  { name: 'check', load: async () => (await import('./check.js')).checkCommand },
  { name: 'info', load: async () => (await import('./info.js')).infoCommand },
  { name: 'map', load: async () => (await import('./map.js')).mapCommand },
  { name: 'layout', load: async () => (await import('./layout.js')).layoutCommand },
  { name: 'convert', load: async () => (await import('./convert.js')).convertCommand },
  { name: 'replay-log', load: async () => (await import('./replay-log.js')).replayLogCommand },
  { name: 'crash-states', load: async () => (await import('./crash-states.js')).crashStatesCommand },
  { name: 'create', load: async () => (await import('./create.js')).createCommand },
  { name: 'io', load: async () => (await import('./io.js')).ioCommand },
  { name: 'snapshot', load: async () => (await import('./snapshot.js')).snapshotCommand },
  { name: 'resize', load: async () => (await import('./resize.js')).resizeCommand },
  { name: 'mutants', load: async () => (await import('./mutants.js')).mutantsCommand },
  { name: 'fuzz', load: async () => (await import('./fuzz.js')).fuzzCommand },
  { name: 'replay', load: async () => (await import('./replay.js')).replayCommand },
  { name: 'corpus', load: async () => (await import('./corpus.js')).corpusCommand },
  { name: 'merge', load: async () => (await import('./merge.js')).mergeCommand },
  { name: 'explain', load: async () => (await import('./explain.js')).explainCommand },
  { name: 'export', load: async () => (await import('./export.js')).exportCommand },
];
