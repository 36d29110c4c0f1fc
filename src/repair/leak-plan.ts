/**
 * The `-r leaks` planner (REP-1): lowers refcounts that exceed the references, in place, and
 * nothing else. It refuses, changing nothing, when a referenced cluster has refcount 0: only a
 * rebuild (`-r all`) can fix that safely (RC-6, MUT-16). When the only other damage is COPIED
 * flags that the lowering makes wrong or right, it hands over to the full planner, which then
 * edits in place, as qemu-img does when that is safe.
 */
import { clusterIndexToOffset, type Geometry } from '../../spec/format/geometry.js';
import { finding, type Finding } from '../../spec/invariants/finding.js';
import type { BlockDevice } from '../storage/block-device.js';
import { toByteSource } from '../storage/to-byte-source.js';
import { computeReferences } from '../../spec/walk/compute-references.js';
import { FindingSink } from '../../spec/walk/finding-sink.js';
import { planFullRepair, type PlannedRepair } from './full-repair-plan.js';
import { featureBitsWrite } from './header-switch.js';
import { withoutDirtyAndCorrupt } from './repaired-features.js';
import { openForRepair } from './open-for-repair.js';
import { refcountEdits } from './refcount-edits.js';
import type { Judgement } from './repair-judge.js';
import type { RepairPlan } from './repair-plan.js';
import { writeEpoch } from './write-plan.js';

const COPIED_RULES = new Set(['L1-3', 'L2-2']);

/** Plans a leak repair of the image on `device`, given the judge's verdict `before` on it (reads only). */
export function planLeakRepair(device: BlockDevice, before: Judgement): PlannedRepair {
  const c = computeReferences(toByteSource(device), new FindingSink());
  if (c === null || !c.complete) return { ok: false, findings: before.findings.filter((f) => f.kind === 'check-error') };
  const refused = zeroRefcountReferenced((k) => c.expected.countOf(k), c.onDisk.saturated, c.image.fileClusterCount, c.image.meta.geometry);
  if (refused !== null) return { ok: false, findings: [refused] };
  if (before['check-errors'] === 0 && before.corruptions === copiedCorruptions(before)) {
    const full = planFullRepair(device);
    if (full.ok && full.plan.strategy === 'in-place') return full;
  }
  const opened = openForRepair(device);
  if (!opened.ok) return opened;
  const ctx = opened.ctx;
  // The walk's counts over the file's own clusters: a leak repair never looks past the end.
  const counts = { clusterCount: c.image.fileClusterCount, countOf: (k: number) => c.expected.countOf(k) };
  const edits = refcountEdits(ctx, counts, false);
  const lower = writeEpoch('lower refcounts', 'refcounts only fall to their reference counts: no crash state has fewer');
  const bits = writeEpoch('clear dirty and corrupt', 'the lowered refcounts are durable (LAZY-4)');
  if (edits !== null) {
    for (const [offsetBytes, data] of edits.lowered) lower.writes.push({ offsetBytes, data });
    ctx.records.push(...edits.records);
  }
  const features = ctx.image.header.incompatibleFeatures;
  const plan: RepairPlan = { strategy: 'in-place', writes: { epochs: [lower, bits] }, features: null };
  if (ctx.v3 && withoutDirtyAndCorrupt(features) !== features && before.corruptions === 0 && before['check-errors'] === 0) {
    const h = ctx.image.header;
    const step = featureBitsWrite(withoutDirtyAndCorrupt(features), h.compatibleFeatures, h.autoclearFeatures);
    bits.writes.push(step);
    plan.features = { step, offsetInStep: 0 };
  }
  return { ok: true, plan, ctx };
}

/** The check error for a referenced cluster whose stored refcount is 0, or null when there is none. */
function zeroRefcountReferenced(countOf: (k: number) => number, stored: Uint8Array, clusterCount: number, g: Geometry): Finding | null {
  for (let k = 0; k < clusterCount; k++) {
    if (stored[k] !== 0 || countOf(k) === 0) continue;
    return finding('RC-6', 'check-error', `cluster ${k} @0x${clusterIndexToOffset(g, k).toString(16)}`, 'a referenced cluster has refcount 0: need a refcount rebuild: use -r all (a leak repair cannot raise refcounts without risking an allocation on top of live data)');
  }
  return null;
}

/** Corruptions of the verdict that are COPIED mismatches (kept witnesses plus omitted ones). */
function copiedCorruptions(report: Judgement): number {
  const kept = report.findings.filter((f) => f.kind === 'corruption' && COPIED_RULES.has(f.rule)).length;
  const omitted = report['findings-omitted'].filter((o) => o.kind === 'corruption' && COPIED_RULES.has(o.rule)).reduce((n, o) => n + o.count, 0);
  return kept + omitted;
}
