/**
 * crashcow snapshot [-c NAME | -a NAME | -d NAME | -l] [--mutant NAME]... IMAGE: qemu-img snapshot's
 * syntax and list format, done by the built-in engine. -a finds by id, then name; -d by name.
 */
import { checkImage } from '../../check/check-image.js';
import { dirtyOpenRepair } from '../../repair/repair-hook.js';
import { BuiltinEngine } from '../../engine/builtin/builtin-engine.js';
import type { EngineImage, SnapshotInfo } from '../../engine/engine.js';
import { errnoText, isEngineError } from '../../engine/engine-error.js';
import type { Command } from '../command.js';
import { parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { mutantArgs } from './create.js';

const ACTIONS = { create: 'create', apply: 'apply', delete: 'delete' } as const;

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'create, apply, delete or list internal snapshots (qemu-img snapshot syntax)',
  usage: 'crashcow snapshot [-c NAME | -a NAME | -d NAME | -l] [--mutant NAME]... IMAGE',
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'create', short: 'c', takesValue: true },
      { name: 'apply', short: 'a', takesValue: true },
      { name: 'delete', short: 'd', takesValue: true },
      { name: 'list', short: 'l', takesValue: false },
      { name: 'format', short: 'f', takesValue: true },
      { name: 'mutant', takesValue: true, repeatable: true },
    ]);
    const chosen = (['create', 'apply', 'delete', 'list'] as const).filter((a) => args.flags.has(a));
    if (chosen.length > 1) throw new UsageError('give only one of -c, -a, -d, -l');
    if (args.positionals.length !== 1) throw new UsageError('expects exactly one IMAGE');
    const action = chosen[0] ?? 'list';
    const name = action === 'list' ? '' : (args.flags.get(action)?.[0] ?? '');
    const path = args.positionals[0];
    const engine = new BuiltinEngine({ clock: wallClock });
    let image: EngineImage | undefined;
    try {
      image = await engine.open({ path }, { readOnly: action === 'list', cacheMode: 'writeback', mutants: mutantArgs(args), repair: dirtyOpenRepair(checkImage) });
      if (action === 'list') return printList(await image.snapshotList());
      if (action === 'create') await image.snapshotCreate(name);
      else if (action === 'apply') await image.snapshotApply(name);
      else await image.snapshotDelete(name);
      return 0;
    } catch (err) {
      if (!isEngineError(err)) throw err;
      const verb = action === 'list' ? 'open' : ACTIONS[action];
      process.stderr.write(`crashcow snapshot: Could not ${verb} snapshot '${name}': ${err.errno === 'ENOENT' ? 'snapshot not found' : `${errnoText[err.errno]} (${err.detail})`}\n`);
      return 1;
    } finally {
      await image?.close();
    }
  },
};

/** Snapshot dates are data, not decisions: the wall clock is fine here. */
function wallClock(): { seconds: number; nanoseconds: number } {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanoseconds: (ms % 1000) * 1e6 };
}

function printList(list: SnapshotInfo[]): number {
  if (list.length === 0) return 0;
  const row = (id: string, tag: string, size: string, date: string, clock: string, icount: string) =>
    `${id.padEnd(9)} ${tag.padEnd(17)} ${size.padStart(7)}${date.padStart(20)}${clock.padStart(13)}${icount.padStart(11)}`;
  const lines = ['Snapshot list:', row('ID', 'TAG', 'VM SIZE', 'DATE', 'VM CLOCK', 'ICOUNT')];
  for (const sn of list) lines.push(row(sn.id, sn.name, `${sn.vmStateSizeBytes} B`, formatDate(sn.dateSeconds), formatClock(sn.vmClockNanoseconds), '0'));
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

function formatDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function formatClock(nanoseconds: number): string {
  const ms = Math.floor(nanoseconds / 1e6);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3600000))}:${p(Math.floor(ms / 60000) % 60)}:${p(Math.floor(ms / 1000) % 60)}.${p(ms % 1000, 3)}`;
}
