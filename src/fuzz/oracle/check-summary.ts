/**
 * CheckSummary: crashcow's checker run over an image (never the engine), reduced to what the crash
 * properties ask: the dirty bit, and the rule ids of corruptions, leaks and check errors.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { decodeHeader } from '../../../spec/format/header.js';
import { incompatibleBits } from '../../../spec/format/feature-bits.js';
import type { Finding } from '../../../spec/invariants/finding.js';
import { checkImage } from '../../check/check-image.js';
import type { CheckReport } from '../../check/check-report.js';
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
}

/** Checks the image behind `source`. */
export function summarizeCheck(source: ByteSource): CheckSummary {
  const report = checkImage(source, 'state');
  const of = (kind: Finding['kind']): string[] => ruleSet(report.findings.filter((f) => f.kind === kind).map((f) => f.rule));
  return { dirty: dirtyBitOf(source), report, corruptionRules: of('corruption'), leakRules: of('leak'), errorRules: of('check-error') };
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

/** True when the check found no corruption and no check error. */
export function hasNoCorruption(s: CheckSummary): boolean {
  return s.report.corruptions === 0 && s.report['check-errors'] === 0;
}

/** True when the check found nothing at all: no corruption, no leak, no check error. */
export function isClean(s: CheckSummary): boolean {
  return hasNoCorruption(s) && s.report.leaks === 0;
}

/** Rule ids of counted findings that a dirty lazy-refcount image must not have. */
export function intolerableWhenDirty(s: CheckSummary): string[] {
  return [...s.corruptionRules, ...s.errorRules].filter((r) => !DIRTY_TOLERATED_RULES.has(r));
}

/** Rule ids of every counted finding (corruptions, check errors, leaks). */
export function countedRules(s: CheckSummary): string[] {
  return ruleSet([...s.corruptionRules, ...s.errorRules, ...s.leakRules]);
}
