/**
 * judgeData: P4 on one image: the active guest view, and every snapshot the model says must (or
 * may) exist, read through spec/ and compared with the durability expectation. The rules (GD-1..4)
 * and what an unreadable guest view means are spec/semantics/durability.ts's and
 * crash-properties.ts's; this file reads the sectors and words the verdicts as Violations.
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
import { durabilityPropertyVerdict } from '../../../spec/semantics/crash-properties.js';
import { sectorDurability, snapshotDurability, unreadableGuestView, virtualSizeDurability } from '../../../spec/semantics/durability.js';
import type { Verdict } from '../../../spec/semantics/verdict.js';

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
        const names = entries.map((e) => e.name);
        const v = durabilityPropertyVerdict(snapshotDurability(name, exp.requiredSnapshots.has(name), names));
        if (v.status !== 'violated') continue;
        return { property: 'P4', rules: [...v.rules], summary: `snapshot ${name} is missing`, stage, expected: `snapshot ${name}`, actual: `snapshots ${names.join(', ') || '(none)'}` };
      }
      const m = judgeGuestView(snapshotLayerOf(source, entry, backing), snapshotExpectation(snap, exp), seed, false, memo?.forView(`snapshot ${name}`)).mismatch;
      if (m) return mismatchViolation(m, snapshotExpectation(snap, exp), `snapshot ${name}`, stage);
    }
    return null;
  } catch (err) {
    if (!isFormatError(err)) throw err;
    const v = durabilityPropertyVerdict(unreadableGuestView(err.rule, err.message));
    if (v.status !== 'violated') throw err;
    return { property: 'P4', rules: [...v.rules], summary: `the guest view cannot be read: ${err.message}`, stage, expected: 'a readable image', actual: err.message };
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
  if (m.kind === 'size') {
    const v = virtualSizeDurability(m.sizeBytes ?? NaN, exp.virtualSizesBytes);
    return { property: 'P4', rules: rulesOf(v), summary: `${view}: ${m.actual}`, stage, expected: exp.virtualSizesBytes.join(' or '), actual: m.actual };
  }
  const v = sectorDurability({ view, sectorIndex: m.sectorIndex, guestOffsetBytes: m.guestOffsetBytes, candidates: m.expected, found: null, actual: m.actual });
  const expected = m.expected.map(describeValue).join(' or ');
  return {
    property: 'P4',
    rules: rulesOf(v),
    summary: `${view} guest sector ${m.sectorIndex} (offset 0x${m.guestOffsetBytes.toString(16)}) holds ${m.actual}, expected ${expected}`,
    stage,
    expected,
    actual: m.actual,
    sector: { guestOffsetBytes: m.sectorIndex * SECTOR_SIZE_BYTES, sectorIndex: m.sectorIndex, expected: [...m.expected], actual: m.actual, view },
  };
}

/** The rules of a mismatch's verdict, which is violated by construction (a mismatch is found only where the bytes match no candidate). */
function rulesOf(v: Verdict<unknown>): string[] {
  const p = durabilityPropertyVerdict(v);
  if (p.status !== 'violated') throw new Error(`a guest-view mismatch that the durability rules accept: ${p.status}`);
  return [...p.rules];
}
