/**
 * Coverage: what fuzz runs exercised, counted per run and summed like the other counters
 * (RunStats): for each FuzzOp kind the runs that applied one, the ops applied, and the crash points
 * and crash states at which an op of that kind was issuing storage operations; for each drawn
 * image option, the runs that took each value. A key that is absent counts 0 (withKnownKeys lists
 * every known kind and value). JSON-safe, so it crosses worker messages and summary files as is.
 */
import type { FuzzOpKind } from '../model/fuzz-op.js';

/** Counters of one op kind. */
export interface OpKindCounts {
  /** Runs that applied at least one op of the kind. */
  runs: number;
  /** Ops of the kind applied. */
  ops: number;
  /** Crash points at which an op of the kind was in flight (see opKindAt). */
  crashPoints: number;
  /** Crash states judged at those crash points. */
  crashStates: number;
}

export interface Coverage {
  opKinds: Partial<Record<FuzzOpKind, Partial<OpKindCounts>>>;
  /** Runs by image option name, then by the value the option took (written as a string). */
  imageOptions: Record<string, Record<string, number>>;
}

/** Nothing counted. */
export function newCoverage(): Coverage {
  return { opKinds: {}, imageOptions: {} };
}

/** The key-by-key sum of `a` and `b` (a new value; keys of either, `a`'s first, in their order). */
export function sumCoverage(a: Readonly<Coverage>, b: Readonly<Coverage>): Coverage {
  return sumCountTrees(a as unknown as CountTree, b as unknown as CountTree) as unknown as Coverage;
}

/** Nested objects whose leaves are counts. */
interface CountTree {
  readonly [key: string]: number | CountTree;
}

function sumCountTrees(a: CountTree, b: CountTree): CountTree {
  const out: Record<string, number | CountTree> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    out[key] = typeof value === 'number' ? (typeof mine === 'number' ? mine : 0) + value : sumCountTrees(typeof mine === 'object' ? mine : {}, value);
  }
  return out;
}
