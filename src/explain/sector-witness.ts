/**
 * sectorWitness: a data mismatch (P4) told with the writes behind it: the epoch's and the
 * recoveries' writes whose labels map the guest sector (an L2 entry change or data over its guest
 * range), by the guest ranges spec/explain decoded from their host offsets.
 */
import { byteRange } from '../../spec/explain/change-label.js';
import type { SectorWitness } from '../fuzz/violation.js';
import type { ExplainedRecovery, ExplainedVerdict, ExplainedWrite, WitnessLink } from './explanation.js';

const SECTOR_BYTES = 512;

export function sectorWitness(s: SectorWitness, writes: readonly ExplainedWrite[], recoveries: readonly ExplainedRecovery[]): NonNullable<ExplainedVerdict['sector']> {
  const links: WitnessLink[] = [...linked(s, writes, 'crash'), ...recoveries.flatMap((r) => linked(s, r.writes, 'recovery', r.how))];
  const crash = links.filter((l) => l.phase === 'crash').map((l) => `write #${l.write} (${l.summary}) was ${l.fate}`);
  const where = `guest sector ${s.sectorIndex} (${byteRange(s.guestOffsetBytes, s.guestOffsetBytes + SECTOR_BYTES)}, ${s.view})`;
  const text = `${where} holds ${s.actual}, where the guest may read ${s.expected.map((v) => `guest write ${v}`).join(' or ')}${crash.length > 0 ? `; its mapping and data: ${crash.join(', ')}` : ''}`;
  return { ...s, text, links };
}

function linked(s: SectorWitness, writes: readonly ExplainedWrite[], phase: WitnessLink['phase'], how?: string): WitnessLink[] {
  const at = s.guestOffsetBytes;
  const wanted = s.view === 'active' ? -1 : undefined;
  const out: WitnessLink[] = [];
  for (const w of writes) {
    const hit = w.changes.find((l) => (l.kind === 'data' || l.kind === 'l2-entries') && l.changed && l.guestFromBytes !== undefined && l.guestToBytes !== undefined && l.guestFromBytes <= at && at < l.guestToBytes && (wanted === undefined || l.snapshotIndex === wanted));
    if (hit) out.push({ role: hit.kind === 'data' ? 'referenced' : 'entry', phase, write: w.index, ...(how !== undefined ? { how } : {}), summary: w.summary, fate: w.fate.fate });
  }
  return out;
}
