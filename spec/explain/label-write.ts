/**
 * labelWrite: what one write did to an image, told structure by structure. The write's host range
 * is cut at the boundaries of the structures the layouts name (the first layout that names a byte
 * owns it: the caller passes the layout after the write first, then the layouts that know the
 * place from later or earlier in the epoch), and each piece is decoded before and after the write
 * through the spec/format codecs: header fields by name, table entries by index, refcounts by host
 * cluster, data by the guest range its L2 entry maps. Pure: reads the two ByteSources only.
 */
import { readPadded, type ByteSource } from '../format/byte-source.js';
import type { Geometry } from '../format/geometry.js';
import { getRefcount } from '../format/refcount-block.js';
import { TableView } from '../format/table-view.js';
import type { ImageLayout } from './image-layout.js';
import type { LayoutRegion } from './layout-sink.js';
import { byteRange, ENTRY_CHANGES_LISTED_MAX, entriesText, hex, indexRange, type ChangeLabel, type EntryChange } from './change-label.js';
import { headerChanges, HEADER_FIELDS_END_BYTES } from './header-changes.js';
import { l1EntryMeaning, l2EntryMeaning, reftableEntryMeaning } from './entry-meaning.js';

export interface WriteToLabel {
  /** The image just before and just after the write. */
  before: ByteSource;
  after: ByteSource;
  /** The host bytes the write covered, [fromBytes, toBytes). */
  fromBytes: number;
  toBytes: number;
  /** Layouts by priority: the first that names a byte says what it is. */
  layouts: readonly ImageLayout[];
}

interface Piece {
  fromBytes: number;
  toBytes: number;
  region: LayoutRegion | null;
  geometry: Geometry | null;
  headerLengthBytes: number;
}

/** The labels of one write, in host offset order; a write past the old end adds a file-extension label. */
export function labelWrite(w: WriteToLabel): ChangeLabel[] {
  const out: ChangeLabel[] = [];
  for (const piece of piecesOf(w)) {
    if (piece.region === null && piece.fromBytes >= w.before.sizeBytes) continue; // told by the extension
    const label = labelPiece(w, piece);
    // Unreferenced bytes put back as they were (a table's padding in its cluster) say nothing.
    if (label.kind !== 'unreferenced' || label.changed) out.push(label);
  }
  if (w.after.sizeBytes > w.before.sizeBytes) {
    const from = w.before.sizeBytes;
    out.push({ kind: 'file-extension', fromBytes: from, toBytes: w.after.sizeBytes, changed: true, text: `file extension ${byteRange(from, w.after.sizeBytes)} (the file grows from ${from} to ${w.after.sizeBytes} bytes)` });
  }
  return out;
}

/** The write's range cut at every region boundary, each piece with its owner, neighbours of one owner merged. */
function piecesOf(w: WriteToLabel): Piece[] {
  const cuts = new Set<number>([w.fromBytes, w.toBytes]);
  const overlapping = w.layouts.map((l) => l.regions.filter((r) => r.startBytes < w.toBytes && r.endBytes > w.fromBytes));
  for (const regions of overlapping) for (const r of regions) for (const b of [r.startBytes, r.endBytes]) if (b > w.fromBytes && b < w.toBytes) cuts.add(b);
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: Piece[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i], points[i + 1]];
    let owner: Piece = { fromBytes: from, toBytes: to, region: null, geometry: null, headerLengthBytes: 0 };
    for (let k = 0; k < overlapping.length && owner.region === null; k++) {
      const r = overlapping[k].find((x) => x.startBytes <= from && x.endBytes >= to);
      if (r) owner = { fromBytes: from, toBytes: to, region: r, geometry: w.layouts[k].geometry, headerLengthBytes: w.layouts[k].headerLengthBytes };
    }
    const last = pieces[pieces.length - 1];
    if (last && last.toBytes === from && last.region === owner.region) last.toBytes = to;
    else pieces.push(owner);
  }
  return pieces;
}

function labelPiece(w: WriteToLabel, p: Piece): ChangeLabel {
  const before = readPadded(w.before, p.fromBytes, p.toBytes - p.fromBytes);
  const after = readPadded(w.after, p.fromBytes, p.toBytes - p.fromBytes);
  const base = { fromBytes: p.fromBytes, toBytes: p.toBytes, changed: !sameBytes(before, after) };
  const r = p.region;
  const g = p.geometry;
  if (r === null) return { ...base, kind: 'unreferenced', text: `bytes ${byteRange(p.fromBytes, p.toBytes)} that no table references${unchanged(base.changed)}` };
  const owner = r.snapshotIndex >= 0 ? `snapshot ${r.snapshotIndex} ` : '';
  switch (r.kind) {
    case 'header':
      return headerLabel(w, p, base);
    case 'l1-table':
      return tableLabel(w, p, base, 8, (hi, lo) => l1EntryMeaning(hi, lo), `${owner}L1 entries`);
    case 'l2-table':
      if (g === null) break;
      return l2Label(w, p, g, base, owner);
    case 'refcount-table':
      return tableLabel(w, p, base, 8, reftableEntryMeaning, 'refcount table entries');
    case 'refcount-block':
      if (g === null) break;
      return refblockLabel(w, p, g, base);
    case 'data-cluster':
    case 'compressed-data': {
      if (g === null) break;
      const guest = (r.tableIndex * g.l2EntryCount + r.entryIndex) * g.clusterSizeBytes;
      const from = r.kind === 'data-cluster' ? guest + (p.fromBytes - r.startBytes) : guest;
      const to = r.kind === 'data-cluster' ? guest + (p.toBytes - r.startBytes) : guest + g.clusterSizeBytes;
      const what = r.kind === 'data-cluster' ? 'data' : 'compressed data';
      return { ...base, kind: 'data', snapshotIndex: r.snapshotIndex, guestFromBytes: from, guestToBytes: to, text: `${owner}${what} of guest range ${byteRange(from, to)}${unchanged(base.changed)}` };
    }
    default:
      break;
  }
  const kind = STRUCTURE_KINDS[r.kind];
  const name = r.kind === 'bitmap-table' || r.kind === 'bitmap-data' ? `${r.kind.replace('-', ' ')} of bitmap ${r.tableIndex}` : r.kind.replace('-', ' ');
  return { ...base, kind, structureOffsetBytes: r.startBytes, text: `${owner}${name} at ${hex(r.startBytes)}, bytes ${byteRange(p.fromBytes, p.toBytes)}${unchanged(base.changed)}` };
}

/** The label kind of each region kind (tables decode their entries above; these are told by range). */
const STRUCTURE_KINDS: Record<LayoutRegion['kind'], ChangeLabel['kind']> = {
  header: 'header',
  'l1-table': 'l1-entries',
  'l2-table': 'l2-entries',
  'data-cluster': 'data',
  'compressed-data': 'data',
  'snapshot-table': 'snapshot-table',
  'refcount-table': 'refcount-table-entries',
  'refcount-block': 'refcount-block',
  'encryption-header': 'encryption-header',
  'bitmap-directory': 'bitmap-directory',
  'bitmap-table': 'bitmap-table',
  'bitmap-data': 'bitmap-data',
};

type Base = Pick<ChangeLabel, 'fromBytes' | 'toBytes' | 'changed'>;

function headerLabel(w: WriteToLabel, p: Piece, base: Base): ChangeLabel {
  const end = Math.max(HEADER_FIELDS_END_BYTES, p.toBytes);
  const fields = p.fromBytes < HEADER_FIELDS_END_BYTES ? headerChanges(readPadded(w.before, 0, end), readPadded(w.after, 0, end), p.fromBytes, Math.min(p.toBytes, HEADER_FIELDS_END_BYTES)) : [];
  const areaFrom = Math.max(p.fromBytes, p.headerLengthBytes > 0 ? p.headerLengthBytes : HEADER_FIELDS_END_BYTES);
  const areaChanged = areaFrom < p.toBytes && !sameBytes(readPadded(w.before, areaFrom, p.toBytes - areaFrom), readPadded(w.after, areaFrom, p.toBytes - areaFrom));
  const parts = fields.map((f) => `${f.name} ${f.before} -> ${f.after}`);
  if (areaChanged) parts.push(`header extensions / backing file name area ${byteRange(areaFrom, p.toBytes)}`);
  if (parts.length === 0) return { ...base, kind: 'header', fields, structureOffsetBytes: 0, text: `header bytes ${byteRange(p.fromBytes, p.toBytes)}${base.changed ? ' (padding)' : ' (unchanged)'}` };
  return { ...base, kind: fields.length > 0 ? 'header' : 'header-area', fields, structureOffsetBytes: 0, text: `header: ${parts.join(', ')}` };
}

/** Indexes of the entries of `entrySizeBytes` overlapping the piece whose bytes differ, with their halves. */
function changedEntries(w: WriteToLabel, p: Piece, tableStartBytes: number, entrySizeBytes: number): { first: number; last: number; changed: Array<{ index: number; before: TableView; after: TableView }> } {
  const first = Math.floor((p.fromBytes - tableStartBytes) / entrySizeBytes);
  const last = Math.floor((p.toBytes - 1 - tableStartBytes) / entrySizeBytes);
  const changed: Array<{ index: number; before: TableView; after: TableView }> = [];
  for (let i = first; i <= last; i++) {
    const at = tableStartBytes + i * entrySizeBytes;
    const before = readPadded(w.before, at, entrySizeBytes);
    const after = readPadded(w.after, at, entrySizeBytes);
    if (!sameBytes(before, after)) changed.push({ index: i, before: new TableView(before), after: new TableView(after) });
  }
  return { first, last, changed };
}

function entryChange(index: number, before: TableView, after: TableView, meaning: (v: TableView) => string): EntryChange {
  return { index, before: rawWord(before), after: rawWord(after), meaning: `${meaning(before)} -> ${meaning(after)}` };
}

function rawWord(v: TableView): string {
  return (v.hi(0) >>> 0).toString(16).padStart(8, '0') + (v.lo(0) >>> 0).toString(16).padStart(8, '0');
}

function tableLabel(w: WriteToLabel, p: Piece, base: Base, entrySizeBytes: number, meaning: (hi: number, lo: number) => string, name: string): ChangeLabel {
  const r = p.region!;
  const { first, last, changed } = changedEntries(w, p, r.startBytes, entrySizeBytes);
  const entries = changed.slice(0, ENTRY_CHANGES_LISTED_MAX).map((c) => entryChange(c.index, c.before, c.after, (v) => meaning(v.hi(0), v.lo(0))));
  const kind = name.endsWith('L1 entries') ? 'l1-entries' : 'refcount-table-entries';
  const label: Omit<ChangeLabel, 'text'> = { ...base, kind, structureOffsetBytes: r.startBytes, entries };
  if (r.kind === 'l1-table') label.snapshotIndex = r.snapshotIndex;
  const what = (x: number, y: number): string => (x === y ? `${name.replace(/entries$/, 'entry')} ${x}` : `${name} ${x}..${y}`);
  if (changed.length === 0) return { ...label, firstEntryIndex: first, lastEntryIndex: last, text: `${what(first, last)} (unchanged)` };
  const [a, b] = [changed[0].index, changed[changed.length - 1].index];
  return { ...label, firstEntryIndex: a, lastEntryIndex: b, text: `${what(a, b)}: ${entriesText(entries, changed.length)}` };
}

function l2Label(w: WriteToLabel, p: Piece, g: Geometry, base: Base, owner: string): ChangeLabel {
  const r = p.region!;
  const { first, last, changed } = changedEntries(w, p, r.startBytes, g.l2EntrySizeBytes);
  const meaning = (v: TableView): string => l2EntryMeaning(v.hi(0), v.lo(0), g, g.extendedL2 ? wordHex(v, 1) : undefined);
  const entries = changed.slice(0, ENTRY_CHANGES_LISTED_MAX).map((c) => entryChange(c.index, c.before, c.after, meaning));
  const [a, b] = changed.length > 0 ? [changed[0].index, changed[changed.length - 1].index] : [first, last];
  const guestBase = r.tableIndex * g.l2CoverageBytes;
  const guestFromBytes = guestBase + a * g.clusterSizeBytes;
  const guestToBytes = guestBase + (b + 1) * g.clusterSizeBytes;
  const head = `${owner}L2 table at ${hex(r.startBytes)} ${a === b ? 'entry' : 'entries'} ${indexRange(a, b)} (guest range ${byteRange(guestFromBytes, guestToBytes)})`;
  const text = changed.length === 0 ? `${head} (unchanged)` : `${head}: ${entriesText(entries, changed.length)}`;
  return { ...base, kind: 'l2-entries', structureOffsetBytes: r.startBytes, snapshotIndex: r.snapshotIndex, firstEntryIndex: a, lastEntryIndex: b, entries, guestFromBytes, guestToBytes, text };
}

function wordHex(v: TableView, word: number): string {
  return v.wordCount > word ? (v.hi(word) >>> 0).toString(16).padStart(8, '0') + (v.lo(word) >>> 0).toString(16).padStart(8, '0') : '0000000000000000';
}

function refblockLabel(w: WriteToLabel, p: Piece, g: Geometry, base: Base): ChangeLabel {
  const r = p.region!;
  const before = readPadded(w.before, r.startBytes, g.clusterSizeBytes);
  const after = readPadded(w.after, r.startBytes, g.clusterSizeBytes);
  const first = Math.floor(((p.fromBytes - r.startBytes) * 8) / g.refcountBits);
  const last = Math.floor(((p.toBytes - r.startBytes) * 8 - 1) / g.refcountBits);
  const clusterBase = r.tableIndex * g.refblockEntryCount;
  const changed: EntryChange[] = [];
  let count = 0;
  for (let i = first; i <= last; i++) {
    const [x, y] = [getRefcount(before, i, g.refcountOrder), getRefcount(after, i, g.refcountOrder)];
    if (x === y) continue;
    if (count++ < ENTRY_CHANGES_LISTED_MAX) changed.push({ index: clusterBase + i, before: refcountHex(x), after: refcountHex(y), meaning: `refcount ${x} -> ${y}` });
  }
  const head = `refcount block at ${hex(r.startBytes)} (host clusters ${clusterBase}..${clusterBase + g.refblockEntryCount - 1})`;
  const label: Omit<ChangeLabel, 'text'> = { ...base, kind: 'refcount-block', structureOffsetBytes: r.startBytes, entries: changed, firstHostCluster: clusterBase + first, lastHostCluster: clusterBase + last };
  if (count === 0) return { ...label, text: `${head}, clusters ${indexRange(clusterBase + first, clusterBase + last)} (unchanged)` };
  const [a, b] = [changed[0].index, lastChangedCluster(before, after, first, last, g) + clusterBase];
  return { ...label, firstHostCluster: a, lastHostCluster: b, text: `${head}: clusters ${indexRange(a, b)}: ${changed.map((c) => `[${c.index}] ${c.meaning}`).join('; ')}${count > changed.length ? `; ${count - changed.length} more` : ''}` };
}

function lastChangedCluster(before: Uint8Array, after: Uint8Array, first: number, last: number, g: Geometry): number {
  for (let i = last; i > first; i--) if (getRefcount(before, i, g.refcountOrder) !== getRefcount(after, i, g.refcountOrder)) return i;
  return first;
}

function refcountHex(n: number): string {
  return n.toString(16).padStart(16, '0');
}

function unchanged(changed: boolean): string {
  return changed ? '' : ' (unchanged)';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
