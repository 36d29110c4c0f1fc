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
