/**
 * RecordingSink: a FindingSink that keeps every finding (no per-rule cap) and records each note
 * with the walk ordinal it was made under, so that a check's notes can be replayed, in walk
 * order, into another sink: replaying the same notes in the same order gives the same findings,
 * counters and omissions as the walk that made them.
 */
import type { Finding, FindingKind } from '../../../../spec/invariants/finding.js';
import { FindingSink } from '../../../../spec/walk/finding-sink.js';

/** One FindingSink.note call, with the walk part it belongs to. */
export interface RecordedNote {
  ordinal: number;
  rule: string;
  kind: FindingKind;
  count: number;
  finding: Finding;
}

export class RecordingSink extends FindingSink {
  readonly recorded: RecordedNote[] = [];
  /** The ordinal of the walk part notes are made under now. */
  ordinal: number;

  constructor(ordinal: number) {
    super(Number.MAX_SAFE_INTEGER);
    this.ordinal = ordinal;
  }

  override note(rule: string, kind: FindingKind, count: number, make: () => Finding): void {
    const finding = make();
    this.recorded.push({ ordinal: this.ordinal, rule, kind, count, finding });
    super.note(rule, kind, count, () => finding);
  }
}

/** Notes `notes` into `sink` in order (each finding a shallow copy: sinks never share one). */
export function replayNotes(notes: readonly RecordedNote[], sink: FindingSink): void {
  for (const n of notes) sink.note(n.rule, n.kind, n.count, () => ({ ...n.finding }));
}
