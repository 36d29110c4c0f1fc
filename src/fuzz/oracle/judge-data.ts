/**
 * judgeData: P4 on one image: the active guest view, and every snapshot the model says must (or
 * may) exist, read through spec/ and compared with the durability expectation. Rule ids:
 * GD-1 a sector flushed before the crash lost its value; GD-2 a sector holds a value nobody wrote
 * there since the last flush; GD-3 the virtual size is none of the allowed ones; GD-4 a snapshot
 * that must exist is missing; plus the spec's own rule when the image cannot be read at all.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { isFormatError } from '../../../spec/format/format-error.js';
import { SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import { describeValue } from '../content/sector-value.js';
import type { DurabilityExpectation } from '../model/durability-oracle.js';
import type { SnapshotModel } from '../model/guest-model.js';
import { judgeGuestView, type GuestMismatch, type SectorExpectation, type VerdictMemo } from '../model/judge-guest-view.js';
import { imageLayerOf, snapshotEntriesOf, snapshotLayerOf, type BackingDevice } from '../spec-view.js';
import type { Violation } from '../violation.js';

/** Durability rules of the guest view (the fuzzer's own clause ids). */
export const durabilityRules = {
  flushedLost: 'GD-1',
  neverWritten: 'GD-2',
  size: 'GD-3',
  snapshotMissing: 'GD-4',
} as const;

/**
 * Judges the image behind `source`; `stage` says which image it is, for the report. With
 * `observed`, the value found in each active sector that had several candidates is put there.
 */
export function judgeData(source: ByteSource, backing: BackingDevice | undefined, exp: DurabilityExpectation, seed: number, stage: string, observed?: Map<number, string>, memo?: VerdictMemo): Violation | null {
  try {
    const r = judgeGuestView(imageLayerOf(source, backing), exp, seed, observed !== undefined, memo);
    if (r.mismatch) return mismatchViolation(r.mismatch, exp, 'active', stage);
    for (const [s, v] of r.observed) observed!.set(s, v);
    const entries = exp.requiredSnapshots.size + exp.optionalSnapshots.size > 0 ? snapshotEntriesOf(source) : [];
    for (const [name, snap] of [...exp.requiredSnapshots, ...exp.optionalSnapshots]) {
      const entry = entries.find((e) => e.name === name);
      if (!entry) {
        if (!exp.requiredSnapshots.has(name)) continue;
        return { property: 'P4', rules: [durabilityRules.snapshotMissing], summary: `snapshot ${name} is missing`, stage, expected: `snapshot ${name}`, actual: `snapshots ${entries.map((e) => e.name).join(', ') || '(none)'}` };
      }
      const m = judgeGuestView(snapshotLayerOf(source, entry, backing), snapshotExpectation(snap, exp), seed, false, memo?.forView(`snapshot ${name}`)).mismatch;
      if (m) return mismatchViolation(m, snapshotExpectation(snap, exp), `snapshot ${name}`, stage);
    }
    return null;
  } catch (err) {
    if (!isFormatError(err)) throw err;
    return { property: 'P4', rules: [err.rule], summary: `the guest view cannot be read: ${err.message}`, stage, expected: 'a readable image', actual: err.message };
  }
}

function snapshotExpectation(snap: SnapshotModel, exp: DurabilityExpectation): SectorExpectation {
  return {
    virtualSizesBytes: [snap.virtualSizeBytes],
    candidates: (s) => snap.values.get(s) ?? [exp.baseValue(s)],
    baseValue: (s) => exp.baseValue(s),
    touchedSectors: () => [...snap.values.keys()].sort((a, b) => a - b),
    touchedSet: () => new Set(snap.values.keys()),
    stamp: exp.stamp,
  };
}

/** The P4 violation of a guest-view mismatch in `view` ("active" or "snapshot NAME"). */
export function mismatchViolation(m: GuestMismatch, exp: Pick<SectorExpectation, 'virtualSizesBytes'>, view: string, stage: string): Violation {
  if (m.kind === 'size') return { property: 'P4', rules: [durabilityRules.size], summary: `${view}: ${m.actual}`, stage, expected: exp.virtualSizesBytes.join(' or '), actual: m.actual };
  const flushed = m.expected.length === 1;
  const expected = m.expected.map(describeValue).join(' or ');
  return {
    property: 'P4',
    rules: [flushed ? durabilityRules.flushedLost : durabilityRules.neverWritten],
    summary: `${view} guest sector ${m.sectorIndex} (offset 0x${m.guestOffsetBytes.toString(16)}) holds ${m.actual}, expected ${expected}`,
    stage,
    expected,
    actual: m.actual,
    sector: { guestOffsetBytes: m.sectorIndex * SECTOR_SIZE_BYTES, sectorIndex: m.sectorIndex, expected: [...m.expected], actual: m.actual, view },
  };
}
