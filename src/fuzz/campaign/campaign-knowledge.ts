import { violationSignature } from '../violation.js';
import type { FuzzFinding } from './fuzz-finding.js';

/**
 * CampaignKnowledge: the signatures (violationSignature) a campaign knows: those of `--known`
 * and of every finding reported so far. The campaign decides with it whether a finding is new (to
 * save) or known (to drop); a job reads a replica of it to pass over runs that repeat a known
 * signature. Every reported finding becomes known, so a job's replica learns its own findings as
 * it reports them and the others' as the campaign sends them.
 */
export class CampaignKnowledge {
  private readonly signatures: Set<string>;

  constructor(known: Iterable<string> = []) {
    this.signatures = new Set(known);
  }

  has(signature: string): boolean {
    return this.signatures.has(signature);
  }

  /**
   * The campaign's decision on a job's finding: new when its case's signature was not known (the
   * campaign saves it), known otherwise. Either way its signatures are known afterwards; `learnt`
   * lists the ones that were not (to tell the other jobs).
   */
  decide(f: FuzzFinding): { isNew: boolean; learnt: string[] } {
    const isNew = !this.has(violationSignature(f.case.violation));
    return { isNew, learnt: this.learn(f.signatures) };
  }

  /** Learns `signatures`; the ones that were new, in order. */
  learn(signatures: Iterable<string>): string[] {
    const fresh: string[] = [];
    for (const s of signatures) {
      if (this.signatures.has(s)) continue;
      this.signatures.add(s);
      fresh.push(s);
    }
    return fresh;
  }
}
