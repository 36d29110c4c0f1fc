/**
 * witnessPlaces: the host bytes a finding's witness is about (the entry at fault, the range it
 * references, the cluster), so an explanation can name the writes that touched them, and the
 * witness said in the labels' terms ("L2 @0xc00 entry 0 -> 0xe00 (512 bytes)"). Pure.
 */
import type { FindingWitness, WitnessTable } from '../invariants/finding.js';
import { byteRange, hex } from './change-label.js';

/** Host bytes [fromBytes, toBytes). */
export interface HostRange {
  fromBytes: number;
  toBytes: number;
}

export interface WitnessPlaces {
  /** The entry at fault, when the witness names one. */
  entry?: HostRange;
  /** What the entry references, or the cluster the finding is about. */
  referenced?: HostRange;
  text: string;
}

const TABLE_NAMES: Record<WitnessTable, string> = {
  l1: 'L1',
  l2: 'L2',
  'refcount-table': 'refcount table',
  'refcount-block': 'refcount block',
  'snapshot-table': 'snapshot table',
  'bitmap-table': 'bitmap table',
};

/** The places of `w`; `l2EntrySizeBytes` is 8, or 16 with extended L2. */
export function witnessPlaces(w: FindingWitness, clusterSizeBytes: number, l2EntrySizeBytes: number): WitnessPlaces {
  const out: WitnessPlaces = { text: '' };
  const parts: string[] = [];
  if (w.table !== undefined && w.tableOffsetBytes !== undefined && w.entryIndex !== undefined) {
    const size = w.table === 'l2' ? l2EntrySizeBytes : 8;
    const from = w.tableOffsetBytes + w.entryIndex * size;
    out.entry = { fromBytes: from, toBytes: from + size };
    const owner = w.snapshotIndex !== undefined && w.snapshotIndex >= 0 ? `snapshot ${w.snapshotIndex} ` : '';
    parts.push(`${owner}${TABLE_NAMES[w.table]} @${hex(w.tableOffsetBytes)} entry ${w.entryIndex}`);
  }
  if (w.referencedOffsetBytes !== undefined) {
    const size = w.referencedSizeBytes ?? clusterSizeBytes;
    out.referenced = { fromBytes: w.referencedOffsetBytes, toBytes: w.referencedOffsetBytes + size };
    parts.push(`${parts.length > 0 ? '-> ' : 'reference to '}${hex(w.referencedOffsetBytes)} (${size} bytes)`);
  } else if (w.clusterIndex !== undefined) {
    const from = w.clusterIndex * clusterSizeBytes;
    out.referenced = { fromBytes: from, toBytes: from + clusterSizeBytes };
    parts.push(`${parts.length > 0 ? '-> ' : ''}host cluster ${w.clusterIndex} (${byteRange(from, from + clusterSizeBytes)})`);
  }
  const counts: string[] = [];
  if (w.copied !== undefined) counts.push(`COPIED ${w.copied ? 'set' : 'clear'}`);
  if (w.storedRefcount !== undefined) counts.push(`stored refcount ${w.storedRefcount}`);
  if (w.referenceCount !== undefined) counts.push(`${w.referenceCount} reference(s)`);
  if (counts.length > 0) parts.push(`(${counts.join(', ')})`);
  out.text = parts.join(' ');
  return out;
}

/** True when [a.fromBytes, a.toBytes) and [b.fromBytes, b.toBytes) share a byte. */
export function overlaps(a: HostRange, b: HostRange): boolean {
  return a.fromBytes < b.toBytes && b.fromBytes < a.toBytes;
}
