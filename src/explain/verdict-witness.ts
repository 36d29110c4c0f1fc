/**
 * verdictWitness: the checker's finding behind a verdict, on the image the verdict is about, with
 * its structured witness told in the labels' terms and tied, by host offsets, to the writes that
 * made it: the epoch's writes that wrote the entry at fault or the bytes it references, with their
 * fates, and whether the recovery rewrote the entry.
 */
import { shortLabel } from '../../spec/explain/short-label.js';
import { overlaps, witnessPlaces, type HostRange } from '../../spec/explain/witness-places.js';
import type { Finding } from '../../spec/invariants/finding.js';
import type { ExplainedRecovery, ExplainedWitness, ExplainedWrite, WitnessLink } from './explanation.js';

export interface WitnessGeometry {
  clusterSizeBytes: number;
  l2EntrySizeBytes: number;
}

/** The finding of `rules` to explain: one with a structured witness first, corruptions before the rest. */
export function pickFinding(findings: readonly Finding[], rules: readonly string[]): Finding | null {
  const of = findings.filter((f) => rules.includes(f.rule));
  const rank = (f: Finding): number => (f.witness ? 0 : 2) + (f.kind === 'corruption' ? 0 : 1);
  return [...of].sort((a, b) => rank(a) - rank(b))[0] ?? null;
}

/** The witness of `f`, tied to the epoch's writes and the recoveries' writes. */
export function explainWitness(f: Finding, g: WitnessGeometry | null, writes: readonly ExplainedWrite[], recoveries: readonly ExplainedRecovery[]): ExplainedWitness {
  const out: ExplainedWitness = { rule: f.rule, where: f.where, detail: f.detail, text: `${f.rule} at ${f.where}: ${f.detail}`, links: [] };
  if (!f.witness || g === null) return out;
  out.witness = f.witness;
  const places = witnessPlaces(f.witness, g.clusterSizeBytes, g.l2EntrySizeBytes);
  const links = [...linksOf(places.entry, 'entry', writes, 'crash'), ...linksOf(places.referenced, 'referenced', writes, 'crash')];
  for (const r of recoveries) links.push(...linksOf(places.entry, 'entry', r.writes, 'recovery', r.how), ...linksOf(places.referenced, 'referenced', r.writes, 'recovery', r.how));
  for (const l of links) if (l.role === 'entry') l.summary = withEntryMeaning(l, f, l.phase === 'crash' ? writes : (recoveries.find((r) => r.how === l.how)?.writes ?? []));
  out.links = links;
  const crash = links.filter((l) => l.phase === 'crash').sort((a, b) => a.write - b.write).map((l) => `write #${l.write} (${l.summary}) was ${l.fate}`);
  const because = crash.length > 0 ? `, because ${joinAnd(crash)}` : '';
  const after = recoveries.map((r) => recoverySentence(r, links, places.entry)).filter((s) => s !== '');
  out.text = `${places.text}: ${f.detail}${because}${after.length > 0 ? `; ${after.join('; ')}` : ''}`;
  return out;
}

/** The writes among `writes` that touched `place`. */
export function linksOf(place: HostRange | undefined, role: WitnessLink['role'], writes: readonly ExplainedWrite[], phase: WitnessLink['phase'], how?: string): WitnessLink[] {
  if (place === undefined) return [];
  return writes
    .filter((w) => w.kind !== 'truncate' && overlaps(place, { fromBytes: w.offsetBytes, toBytes: w.offsetBytes + w.lengthBytes }))
    .map((w) => ({ role, phase, write: w.index, ...(how !== undefined ? { how } : {}), summary: w.summary || shortLabel(w.changes), fate: w.fate.fate }));
}

/** "L2 entry 0: unallocated -> 0xe00 COPIED": the link's summary with what the write did to the witness's entry. */
function withEntryMeaning(l: WitnessLink, f: Finding, writes: readonly ExplainedWrite[]): string {
  const w = writes.find((x) => x.index === l.write);
  const change = w?.changes.find((c) => c.structureOffsetBytes === f.witness?.tableOffsetBytes)?.entries?.find((e) => e.index === f.witness?.entryIndex);
  return change ? `${l.summary}: ${change.meaning}` : l.summary;
}

function recoverySentence(r: ExplainedRecovery, links: readonly WitnessLink[], entry: HostRange | undefined): string {
  const mine = links.filter((l) => l.phase === 'recovery' && l.how === r.how);
  if (mine.length > 0) return `${r.how} ${joinAnd(mine.map((l) => `${l.role === 'entry' ? `rewrote the entry in its write #${l.write} (${l.summary})` : `wrote the referenced bytes in its write #${l.write} (${l.summary})`}`))}`;
  return entry !== undefined ? `${r.how} (${r.writes.length} write${r.writes.length === 1 ? '' : 's'}) did not rewrite the entry` : '';
}

function joinAnd(parts: readonly string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
