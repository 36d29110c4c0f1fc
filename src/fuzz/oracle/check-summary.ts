/**
 * CheckSummary: crashcow's checker run over an image (never the engine), gathered into the facts
 * the crash properties of spec/semantics/crash-properties.ts judge: the dirty bit, the rule ids of
 * corruptions, leaks and check errors, and the findings with their witnesses.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { decodeHeader } from '../../../spec/format/header.js';
import { incompatibleBits } from '../../../spec/format/feature-bits.js';
import type { Finding } from '../../../spec/invariants/finding.js';
import { countedRules, intolerableWhenDirtyAfterFlush, isHarmfulCorruption, needsReferenceCounts, WEIGHED_RULES, type CheckFacts } from '../../../spec/semantics/crash-properties.js';
import { ruleSet } from '../../../spec/semantics/verdict.js';
import { checkImage } from '../../check/check-image.js';
import { computeReferences, type ReferenceComputation } from '../../../spec/walk/compute-references.js';
import { FindingSink } from '../../../spec/walk/finding-sink.js';
import type { CheckReport } from '../../check/check-report.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { wroteNothing } from '../target/fuzz-target.js';

export interface CheckSummary extends CheckFacts {
  report: CheckReport;
  corruptionRules: string[];
  leakRules: string[];
  errorRules: string[];
  /** Rules of the corruptions a crash may not leave on a clean image (isHarmfulCorruption). */
  harmfulCorruptionRules: string[];
  /**
   * The report's findings, with every witness of the rules the crash properties weigh one by one
   * (WEIGHED_RULES) even past the checker's witnesses per rule.
   */
  findings: Finding[];
}

/** Checks the image behind `source`. */
export function summarizeCheck(source: ByteSource): CheckSummary {
  const report = checkImage(source, 'state');
  return summaryFrom(report, dirtyBitOf(source), {
    unbounded() {
      const all = new FindingSink(Number.MAX_SAFE_INTEGER);
      const refs = computeReferences(source, all);
      return { findings: all.findings, countOf: countOfRefs(refs) };
    },
    countOf: () => countOfRefs(computeReferences(source)),
  });
}

/** Reference counts by cluster, as a walk made them; null when the image cannot be walked. */
type CountOf = ((clusterIndex: number) => number) | null;

/** What a summary may need beyond the check's report, made only when it does. */
export interface CheckExtras {
  /**
   * Every finding of the stages and of the reference walk, none left out (computeReferences with
   * an unbounded sink), and the reference counts of that walk.
   */
  unbounded(): { findings: Finding[]; countOf: CountOf };
  /** The reference counts of the image's walk. */
  countOf(): CountOf;
}

/**
 * The summary of a check whose report is `report` (of an image whose dirty bit is `dirty`); the
 * full check and the incremental judge (incremental/) both build theirs here.
 */
export function summaryFrom(report: CheckReport, dirty: boolean, extras: CheckExtras): CheckSummary {
  const of = (kind: Finding['kind']): string[] => ruleSet(report.findings.filter((f) => f.kind === kind).map((f) => f.rule));
  let findings = report.findings;
  let countOf: CountOf = null;
  if (report['findings-omitted'].some((o) => WEIGHED_RULES.has(o.rule))) {
    const all = extras.unbounded();
    countOf = all.countOf;
    findings = [...report.findings.filter((f) => !WEIGHED_RULES.has(f.rule)), ...all.findings.filter((f) => WEIGHED_RULES.has(f.rule))];
  }
  const harmful = harmfulCorruptions(findings, countOf, extras);
  return { dirty, report, corruptionRules: of('corruption'), leakRules: of('leak'), errorRules: of('check-error'), harmfulCorruptionRules: ruleSet(harmful.map((f) => f.rule)), findings };
}

function countOfRefs(refs: ReferenceComputation | null): CountOf {
  return refs === null ? null : (k) => refs.expected.countOf(k);
}

/** The corruption findings isHarmfulCorruption keeps; true reference counts are computed only if it needs them. */
function harmfulCorruptions(findings: readonly Finding[], known: CountOf, extras: CheckExtras): Finding[] {
  const corruptions = findings.filter((f) => f.kind === 'corruption');
  const countOf = known === null && needsReferenceCounts(corruptions) ? extras.countOf() : known;
  const referenceCountOf = (clusterIndex: number): number => (countOf === null ? -1 : countOf(clusterIndex));
  return corruptions.filter((f) => isHarmfulCorruption(f, referenceCountOf));
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

/** The lockstep check (src/fuzz/runner) reads these through here. */
export { countedRules, intolerableWhenDirtyAfterFlush };

/**
 * The summary of a recovery's result: `before` itself when the recovery wrote nothing (only
 * flushes: the bytes are the state's, so the check would say the same), else a new check.
 */
export function summarizeRecovered(before: CheckSummary, ops: readonly StorageOp[], device: BlockDevice): CheckSummary {
  return wroteNothing(ops) ? before : summarizeCheck(toByteSource(device));
}
