/**
 * CheckSummary: crashcow's checker run over an image (never the engine), reduced to what the crash
 * properties ask: the dirty bit, and the rule ids of corruptions, leaks and check errors.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { decodeHeader } from '../../../spec/format/header.js';
import { incompatibleBits } from '../../../spec/format/feature-bits.js';
import type { Finding } from '../../../spec/invariants/finding.js';
import { checkImage } from '../../check/check-image.js';
import { computeReferences, type ReferenceComputation } from '../../../spec/walk/compute-references.js';
import { FindingSink } from '../../../spec/walk/finding-sink.js';
import type { CheckReport } from '../../check/check-report.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { wroteNothing } from '../target/fuzz-target.js';
import { ruleSet } from '../violation.js';

/**
 * Rules a dirty lazy-refcount image may break (refcounts not yet written back, and the COPIED flags
 * that follow from them), and nothing else (LAZY-3).
 */
export const DIRTY_TOLERATED_RULES: ReadonlySet<string> = new Set(['RC-6', 'RC-7', 'L1-3', 'L2-2', 'FEAT-1']);

export interface CheckSummary {
  /** Incompatible bit 0 (FEAT-1); false when the header cannot be read. */
  dirty: boolean;
  report: CheckReport;
  corruptionRules: string[];
  leakRules: string[];
  errorRules: string[];
  /**
   * Rules of corruptions other than COPIED mismatches that agree with the true reference count
   * (flag clear on a cluster referenced once, or set on one referenced once whose stored refcount
   * leaked above 1). Snapshot creation cannot avoid a crash window where the flag and the stored
   * refcount disagree, in QEMU as in any engine, so a crash may leave such a mismatch as it may
   * leave a leak; it costs at most an extra copy-on-write. A set flag on a cluster referenced
   * twice (real sharing: a write in place would change the other reference) is never tolerated.
   */
  harmfulCorruptionRules: string[];
  /**
   * The report's findings, with every witness of the rules the crash properties weigh one by one
   * (COPIED and AL-4) even past the checker's witnesses per rule.
   */
  findings: Finding[];
}

/** Rules whose witnesses the crash properties weigh one by one. */
const WEIGHED_RULES: ReadonlySet<string> = new Set(['L1-3', 'L2-2', 'AL-4']);

/** Rules of the COPIED flag (active L1 and L2 tables). */
const COPIED_RULES: ReadonlySet<string> = new Set(['L1-3', 'L2-2']);

/** Checks the image behind `source`. */
export function summarizeCheck(source: ByteSource): CheckSummary {
  const report = checkImage(source, 'state');
  const of = (kind: Finding['kind']): string[] => ruleSet(report.findings.filter((f) => f.kind === kind).map((f) => f.rule));
  let findings = report.findings;
  let refs: ReferenceComputation | null = null;
  if (report['findings-omitted'].some((o) => WEIGHED_RULES.has(o.rule))) {
    const all = new FindingSink(Number.MAX_SAFE_INTEGER);
    refs = computeReferences(source, all);
    findings = [...report.findings.filter((f) => !WEIGHED_RULES.has(f.rule)), ...all.findings.filter((f) => WEIGHED_RULES.has(f.rule))];
  }
  const harmful = harmfulCorruptions(source, findings, refs);
  return { dirty: dirtyBitOf(source), report, corruptionRules: of('corruption'), leakRules: of('leak'), errorRules: of('check-error'), harmfulCorruptionRules: ruleSet(harmful.map((f) => f.rule)), findings };
}

/** Corruption findings, less the COPIED mismatches that agree with the true reference counts. */
function harmfulCorruptions(source: ByteSource, findings: readonly Finding[], known: ReferenceComputation | null): Finding[] {
  const corruptions = findings.filter((f) => f.kind === 'corruption');
  let refs = known;
  if (refs === null && corruptions.some((f) => COPIED_RULES.has(f.rule) && f.detail.startsWith('COPIED is set'))) refs = computeReferences(source);
  return corruptions.filter((f) => {
    if (!COPIED_RULES.has(f.rule)) return true;
    if (f.detail.startsWith('COPIED is clear')) return false;
    const cluster = referencedClusterOf(f, refs);
    return cluster === null || refs === null || refs.expected.countOf(cluster) !== 1;
  });
}

/** The cluster a COPIED finding's entry points at (L2 table for L1-3, data cluster for L2-2). */
function referencedClusterOf(f: Finding, refs: ReferenceComputation | null): number | null {
  const m = /\(entry 0x([0-9a-f]{16})\)/.exec(f.detail);
  if (!m || !refs) return null;
  const offsetBytes = Number(BigInt('0x' + m[1]) & 0x00fffffffffffe00n);
  return Math.floor(offsetBytes / refs.image.clusterSizeBytes);
}

/** The dirty bit of the header, false when the header is unreadable (the checker reports that). */
export function dirtyBitOf(source: ByteSource): boolean {
  try {
    const h = decodeHeader(source.read(0, 104));
    return h.version >= 3 && (h.incompatibleFeatures & incompatibleBits.dirty) !== 0n;
  } catch {
    return false;
  }
}

/** True when the check found no check error and no corruption but safe COPIED mismatches. */
export function hasNoHarmfulCorruption(s: CheckSummary): boolean {
  return s.harmfulCorruptionRules.length === 0 && s.report['check-errors'] === 0;
}

/** True when the check found nothing at all: no corruption, no leak, no check error. */
export function isClean(s: CheckSummary): boolean {
  return s.report.corruptions === 0 && s.report['check-errors'] === 0 && s.report.leaks === 0;
}

/**
 * True for a finding a crash may leave on a dirty lazy-refcount image: stale refcounts and what
 * follows from them, and an L2 entry to a data cluster past the end of the file (under lazy
 * refcounts no refcount flush orders the unflushed data write before the L2 link; the guest
 * data it loses is P4's business). L2 tables themselves are always durable before their L1 link.
 */
export function toleratedWhenDirty(f: Finding): boolean {
  if (DIRTY_TOLERATED_RULES.has(f.rule)) return true;
  return f.rule === 'AL-4' && /-> L2 @0x[0-9a-f]+ entry \d+/.test(f.where);
}

/** Rule ids of counted findings a dirty image must not have after a flush: all but stale refcounts. */
export function intolerableWhenDirtyAfterFlush(s: CheckSummary): string[] {
  return [...s.corruptionRules, ...s.errorRules].filter((r) => !DIRTY_TOLERATED_RULES.has(r));
}

/**
 * Rule ids of counted findings that a crash must not leave on a dirty lazy-refcount image. Findings
 * the checker counted without listing them are judged by their rule (COPIED and AL-4 are listed in
 * full in the summary).
 */
export function intolerableWhenDirty(s: CheckSummary): string[] {
  const kept = s.findings.filter((f) => (f.kind === 'corruption' || f.kind === 'check-error') && !toleratedWhenDirty(f));
  const omitted = s.report['findings-omitted'].filter((o) => o.kind !== 'leak' && o.kind !== 'info' && !DIRTY_TOLERATED_RULES.has(o.rule) && !WEIGHED_RULES.has(o.rule));
  return ruleSet([...kept.map((f) => f.rule), ...omitted.map((o) => o.rule)]);
}

/** Rule ids of counted findings that a crash may not leave on an image whose dirty bit is clear. */
export function intolerableWhenClean(s: CheckSummary): string[] {
  return ruleSet([...s.harmfulCorruptionRules, ...s.errorRules]);
}

/** Rule ids of every counted finding (corruptions, check errors, leaks). */
export function countedRules(s: CheckSummary): string[] {
  return ruleSet([...s.corruptionRules, ...s.errorRules, ...s.leakRules]);
}

/**
 * The summary of a recovery's result: `before` itself when the recovery wrote nothing (only
 * flushes: the bytes are the state's, so the check would say the same), else a new check.
 */
export function summarizeRecovered(before: CheckSummary, ops: readonly StorageOp[], device: BlockDevice): CheckSummary {
  return wroteNothing(ops) ? before : summarizeCheck(toByteSource(device));
}
