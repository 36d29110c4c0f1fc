/**
 * The workload generator: fast-check arbitraries of every command, weighted so that most steps
 * write, and the command list arbitrary a run executes.
 */
import fc from 'fast-check';
import type { FuzzRun } from '../runner/fuzz-run.js';
import { BulkWriteCommand, DiscardCommand, DiscardLastWriteCommand, WriteCommand, WriteZeroesCommand } from './data-commands.js';
import { bulkRangeArb, guestRangeArb } from './guest-range.js';
import { CrashCommand, FlushCommand, ReopenCommand, ResizeCommand } from './image-commands.js';
import { SnapshotCommand } from './snapshot-commands.js';

/** Commands per run at most. */
const COMMANDS_PER_RUN_MAX = 24;

/** Every command arbitrary with its weight. */
function commandArbitraries(): Array<fc.Arbitrary<fc.AsyncCommand<FuzzRun, FuzzRun>>> {
  const range = guestRangeArb();
  const weighted = <T>(weight: number, arb: fc.Arbitrary<T>): Array<fc.Arbitrary<T>> => Array.from({ length: weight }, () => arb);
  return [
    ...weighted(8, range.map((r) => new WriteCommand(r))),
    ...weighted(1, fc.tuple(range, fc.boolean()).map(([r, unmap]) => new WriteZeroesCommand(r, unmap))),
    ...weighted(2, range.map((r) => new DiscardCommand(r))),
    ...weighted(1, range.map((r) => new DiscardLastWriteCommand(r))),
    ...weighted(1, bulkRangeArb().map((r) => new BulkWriteCommand(r))),
    ...weighted(3, fc.constant(null).map(() => new FlushCommand())),
    ...weighted(1, fc.constant(null).map(() => new ReopenCommand())),
    ...weighted(1, fc.constant(null).map(() => new CrashCommand())),
    ...weighted(1, fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 3 })).map(([e, s]) => new ResizeCommand(e, s))),
    ...weighted(1, fc.tuple(fc.constantFrom('create' as const, 'create' as const, 'apply' as const, 'delete' as const), fc.nat(7)).map(([a, i]) => new SnapshotCommand(a, i))),
  ];
}

/** The command lists of runs. */
export function commandListArb(maxCommands = COMMANDS_PER_RUN_MAX): fc.Arbitrary<Iterable<fc.AsyncCommand<FuzzRun, FuzzRun>>> {
  return fc.commands(commandArbitraries(), { maxCommands });
}
