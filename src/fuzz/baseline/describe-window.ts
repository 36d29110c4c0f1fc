/**
 * A crash window (spec/semantics/durability.ts) in a case's words: the operations in flight and
 * the last one made durable, numbered as the case lists its operations (from 1, the crash
 * segment starting after the last earlier crash). "operation 2 (flush) in flight, nothing durable".
 */
import type { CrashWindow } from '../../../spec/semantics/durability.js';
import { describeOp, type FuzzOp } from '../model/fuzz-op.js';

/** `ops`: the case's operations, the final crash included; the window counts from its segment's start. */
export function describeWindow(ops: readonly FuzzOp[], w: CrashWindow): string {
  let start = 0;
  for (let i = 0; i < ops.length - 1; i++) if (ops[i].kind === 'crash') start = i + 1;
  const named = (entry: number): string => `operation ${start + entry + 1} (${describeOp(ops[start + entry])})`;
  const first = w.durableIndex + 1;
  const count = w.inFlightEnd - first;
  const inFlight = count <= 0 ? 'no operation in flight' : count === 1 ? `${named(first)} in flight` : `operations ${start + first + 1} to ${start + w.inFlightEnd} in flight`;
  const durable = w.durableIndex >= 0 ? `durable up to ${named(w.durableIndex)}` : start > 0 ? `nothing durable since the crash of operation ${start}` : 'nothing durable';
  return `${inFlight}, ${durable}`;
}
