/**
 * FindingSink: collects a check's findings and counts them the way qemu-img check counts:
 * corruptions, leaks, check errors. Keeps at most `findingsPerRuleMax` witnesses per rule and
 * kind; the rest are counted and reported as omitted, so a badly damaged image costs no memory.
 */
import { finding as makeFinding, type Finding, type FindingKind } from '../invariants/finding.js';
import { checkLimits } from './check-limits.js';

export interface OmittedFindings {
  rule: string;
  kind: FindingKind;
  /** Findings of this rule and kind counted but not listed. */
  count: number;
}

export class FindingSink {
  corruptions = 0;
  leaks = 0;
  checkErrors = 0;
  readonly findings: Finding[] = [];
  private readonly kept = new Map<string, number>();
  private readonly omitted = new Map<string, OmittedFindings>();

  constructor(private readonly perRuleMax: number = checkLimits.findingsPerRuleMax) {}

  /** Counts and keeps one finding. */
  add(f: Finding): void {
    this.note(f.rule, f.kind, 1, () => f);
  }

  /** Counts and keeps every finding of a list. */
  addAll(fs: readonly Finding[]): void {
    for (const f of fs) this.add(f);
  }

  /**
   * Counts `count` findings of `rule`/`kind`; builds the witness with `make` only when there is room
   * for it (hot paths pay for a string only for the first few witnesses).
   */
  note(rule: string, kind: FindingKind, count: number, make: () => Finding): void {
    if (kind === 'corruption') this.corruptions += count;
    else if (kind === 'leak') this.leaks += count;
    else if (kind === 'check-error') this.checkErrors += count;
    const key = `${rule}/${kind}`;
    const kept = this.kept.get(key) ?? 0;
    if (kept < this.perRuleMax) {
      this.kept.set(key, kept + 1);
      this.findings.push(make());
      if (count > 1) this.omit(key, rule, kind, count - 1);
    } else {
      this.omit(key, rule, kind, count);
    }
  }

  /** Shorthand for `note` with a finding built from parts. */
  report(rule: string, kind: FindingKind, where: string, detail: string, qemu?: string): void {
    this.note(rule, kind, 1, () => makeFinding(rule, kind, where, detail, qemu));
  }

  /** True when a witness of `rule`/`kind` would still be kept (lets callers skip expensive detail). */
  wants(rule: string, kind: FindingKind): boolean {
    return (this.kept.get(`${rule}/${kind}`) ?? 0) < this.perRuleMax;
  }

  /** Per rule and kind, the findings counted but not listed. */
  omittedFindings(): OmittedFindings[] {
    return [...this.omitted.values()];
  }

  private omit(key: string, rule: string, kind: FindingKind, count: number): void {
    const o = this.omitted.get(key);
    if (o) o.count += count;
    else this.omitted.set(key, { rule, kind, count });
  }
}
