/**
 * Snapshot salvage: reads the snapshot table entry by entry and decides which entries survive the
 * repair. An entry survives when it lies whole inside the file and its L1 table can be trusted
 * (SN-4); a v3 entry with too little extra data is fixed (SN-3), one with more extra data than QEMU
 * accepts keeps its known fields (QIMPL-SN-EXTRA). Everything else is dropped, with a record naming
 * the snapshot. Entries are kept as raw bytes, so what the repair rewrites is byte-identical except
 * for the fields it fixes.
 */
import { bytesSource, type ByteSource } from '../../spec/format/byte-source.js';
import { BoundedReader, hex } from '../../spec/format/bounded-reader.js';
import { isClusterAligned, type Geometry } from '../../spec/format/geometry.js';
import { limits } from '../../spec/format/limits.js';
import { decodeSnapshotTable } from '../../spec/format/snapshot-table.js';
import { snapshotVmStateFindings, type SnapshotContext } from '../../spec/invariants/snapshots.js';
import { repairRecord, type RepairRecord } from './repair-record.js';

const FIXED_BYTES = 40;
/** vm_state_size_large, disk_size, icount: the extra data fields QEMU knows (SN-3). */
const KNOWN_EXTRA_BYTES = 24;

interface SalvagedSnapshot {
  /** Index in the original table. */
  originalIndex: number;
  /** The entry as it will be written, padding included; the L1 offset is patched on relocation. */
  raw: Uint8Array;
  l1OffsetBytes: number;
  l1EntryCount: number;
  /** "snapshot[1] (id "1", name "s1")" for reports. */
  label: string;
}

export interface SnapshotSalvage {
  kept: SalvagedSnapshot[];
  records: RepairRecord[];
  /** The table must be rewritten: an entry was dropped or fixed. */
  changed: boolean;
  /** Bytes of the old table that lie inside the file (its clusters are metadata until the switch). */
  oldTableBytes: number;
}

/** Why an entry and all after it are dropped: the rule they break and a sentence saying how. */
interface Stop {
  rule: string;
  why: string;
}

/**
 * Reads `count` entries at `tableOffset` (both from the header) and salvages them. What is kept
 * stays within QEMU's limits: at most 65536 entries and a table of at most 64 MiB, measured both as
 * stored (as QEMU measures it when it discards overhanging snapshots) and as it will be rewritten.
 * @param g the image's geometry; its virtual size is written into a fixed entry's disk_size field
 */
export function salvageSnapshots(source: ByteSource, tableOffset: bigint, count: number, ctx: SnapshotContext, g: Geometry): SnapshotSalvage {
  const out: SnapshotSalvage = { kept: [], records: [], changed: false, oldTableBytes: 0 };
  if (count === 0) return out;
  if (!isClusterAligned(g, tableOffset) || tableOffset > BigInt(source.sizeBytes)) {
    const stop = !isClusterAligned(g, tableOffset)
      ? { rule: 'HDR-7', why: 'the table offset is not cluster-aligned, so the table cannot be found' }
      : { rule: 'SN-1', why: 'the table lies past the end of the file' };
    dropRest(out, 0, count, Number(tableOffset), stop);
    return out;
  }
  const offsetBytes = Number(tableOffset);
  let pos = offsetBytes;
  let rewrittenBytes = 0;
  for (let i = 0; i < count; i++) {
    const stop = stopReason(source, pos, offsetBytes, i, ctx);
    if (stop !== null) {
      dropRest(out, i, count, pos, stop);
      break;
    }
    const decoded = decodeRaw(source, pos, i);
    if (decoded.fixed.every((b) => b === 0)) {
      dropRest(out, i, count, pos, { rule: 'SN-1', why: 'from here on the entries are all zero (no L1 table, no id, no name): nb_snapshots counts past the real end of the table' });
      break;
    }
    const keptBefore = out.kept.length;
    const recordsBefore = out.records.length;
    salvageOne(out, decoded, ctx, g, source.sizeBytes);
    if (out.kept.length > keptBefore) {
      // A fixed entry may grow (SN-3 adds extra data): the rewritten table must fit QEMU's limit too.
      const last = out.kept[out.kept.length - 1].raw;
      const endBytes = rewrittenBytes + unpaddedSizeBytes(last);
      if (endBytes > limits.snapshotTableSizeBytesMax) {
        out.kept.pop();
        out.records.length = recordsBefore;
        dropRest(out, i, count, pos, tooBig(endBytes, 'rewritten'));
        break;
      }
      rewrittenBytes += last.length;
    }
    out.oldTableBytes = pos + decoded.storedSizeBytes - offsetBytes;
    pos += decoded.storedSizeBytes;
  }
  return out;
}

/** Why entry `i` at `pos` and all after it cannot be kept, or null. */
function stopReason(source: ByteSource, pos: number, tableStart: number, i: number, ctx: SnapshotContext): Stop | null {
  if (ctx.externalDataFile) return { rule: 'SN-8', why: 'internal snapshots are not allowed with an external data file' };
  if (i >= limits.snapshotCountMax) return { rule: 'QIMPL-SNAPSHOT-COUNT', why: `QEMU takes at most ${limits.snapshotCountMax} snapshots` };
  if (pos - tableStart > limits.snapshotTableSizeBytesMax) return tooBig(pos - tableStart, 'stored');
  const head = source.read(pos, FIXED_BYTES);
  if (head.length < FIXED_BYTES) return { rule: 'SN-1', why: 'the entry lies past the end of the file' };
  const r = new BoundedReader(head, pos, 'SN-1', `snapshot[${i}]`);
  // QEMU measures the table up to the end of each entry's name (the last entry's padding excluded).
  const endBytes = pos + FIXED_BYTES + r.u32(36) + r.u16(12) + r.u16(14);
  if (endBytes - tableStart > limits.snapshotTableSizeBytesMax) return tooBig(endBytes - tableStart, 'stored');
  if (endBytes > source.sizeBytes) return { rule: 'SN-1', why: 'the entry runs past the end of the file' };
  return null;
}

function tooBig(tableBytes: number, how: 'stored' | 'rewritten'): Stop {
  return { rule: 'QIMPL-SN-TABLE', why: `with them the table (as ${how}) holds ${tableBytes} bytes, past QEMU's limit of ${limits.snapshotTableSizeBytesMax}` };
}

/** Bytes of an entry without its padding: 40 + extra data + id + name. */
function unpaddedSizeBytes(raw: Uint8Array): number {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return FIXED_BYTES + view.getUint32(36) + view.getUint16(12) + view.getUint16(14);
}

function dropRest(out: SnapshotSalvage, first: number, count: number, pos: number, stop: Stop): void {
  out.changed = true;
  const where = `snapshot table entries ${first}..${count - 1} @${hex(Math.min(pos, Number.MAX_SAFE_INTEGER))}`;
  out.records.push(repairRecord('snapshot-dropped', stop.rule, where, `${count - first} snapshot entries dropped: ${stop.why}`, { count: count - first }));
}

interface RawEntry {
  index: number;
  fixed: Uint8Array;
  extra: Uint8Array;
  idAndName: Uint8Array;
  id: string;
  name: string;
  /** Bytes the entry takes in the old table, padding included. */
  storedSizeBytes: number;
}

function decodeRaw(source: ByteSource, pos: number, index: number): RawEntry {
  const fixed = source.read(pos, FIXED_BYTES).slice();
  const r = new BoundedReader(fixed, pos, 'SN-1', `snapshot[${index}]`);
  const extraBytes = r.u32(36);
  const idBytes = r.u16(12);
  const nameBytes = r.u16(14);
  const keptExtraBytes = Math.min(extraBytes, limits.snapshotExtraDataBytesMax);
  const extra = source.read(pos + FIXED_BYTES, keptExtraBytes).slice();
  const idAndName = source.read(pos + FIXED_BYTES + extraBytes, idBytes + nameBytes).slice();
  const text = new TextDecoder('utf-8', { fatal: false });
  return {
    index,
    fixed,
    extra,
    idAndName,
    id: text.decode(idAndName.subarray(0, idBytes)),
    name: text.decode(idAndName.subarray(idBytes)),
    storedSizeBytes: roundUp8(FIXED_BYTES + extraBytes + idBytes + nameBytes),
  };
}

function salvageOne(out: SnapshotSalvage, e: RawEntry, ctx: SnapshotContext, g: Geometry, fileSizeBytes: number): void {
  const view = new DataView(e.fixed.buffer, e.fixed.byteOffset, e.fixed.byteLength);
  const l1Offset = view.getBigUint64(0);
  const l1EntryCount = view.getUint32(8);
  const label = `snapshot[${e.index}] (id ${JSON.stringify(e.id)}, name ${JSON.stringify(e.name)})`;
  // SN-4: the L1 table is cluster-aligned and within QEMU's 32 MiB, else none of it can be trusted.
  if (!isClusterAligned(g, l1Offset) || l1EntryCount > limits.l1SizeBytesMax / 8) {
    out.changed = true;
    out.records.push(repairRecord('snapshot-dropped', 'SN-4', label, `snapshot dropped: its L1 table (${hex(l1Offset)}, ${l1EntryCount} entries) is unaligned or too large, so none of its mappings can be trusted`));
    return;
  }
  const l1OffsetBytes = Number(l1Offset);
  if (l1EntryCount > 0 && l1OffsetBytes >= fileSizeBytes) {
    out.changed = true;
    out.records.push(repairRecord('snapshot-dropped', 'AL-4', label, `snapshot dropped: its L1 table at ${hex(l1Offset)} lies wholly past the end of the file, so nothing of it survives`));
    return;
  }
  let extra = e.extra;
  if (e.extra.length < (view.getUint32(36) >>> 0)) {
    extra = e.extra.subarray(0, Math.min(e.extra.length, KNOWN_EXTRA_BYTES));
    out.changed = true;
    out.records.push(repairRecord('snapshot-fixed', 'QIMPL-SN-EXTRA', label, `extra data of ${view.getUint32(36)} bytes cut to its ${extra.length} known bytes`));
  }
  if (ctx.version >= 3 && extra.length < 16) {
    extra = fixedExtraData(extra, view.getUint32(32), g.virtualSizeBytes);
    out.changed = true;
    out.records.push(repairRecord('snapshot-fixed', 'SN-3', label, `v3 entry had ${e.extra.length} bytes of extra data; now 16 (vm_state_size_large, disk_size ${g.virtualSizeBytes})`));
  }
  const raw = encodeRaw(e, extra);
  if (dropUnreachableVmState(raw, e.index, ctx)) {
    out.changed = true;
    out.records.push(repairRecord('snapshot-fixed', 'SN-7', label, 'VM state dropped: the snapshot\'s L1 table cannot reach it, so it could never be read (the disk part is kept)'));
  }
  out.kept.push({ originalIndex: e.index, raw, l1OffsetBytes, l1EntryCount, label });
}

/** SN-7: when the L1 table cannot hold the VM state after the disk, zeroes both VM state sizes in `raw`; true if it did. */
function dropUnreachableVmState(raw: Uint8Array, index: number, ctx: SnapshotContext): boolean {
  const entry = decodeSnapshotTable(bytesSource(raw), 0, 1)[0];
  if (snapshotVmStateFindings(index, entry, ctx).length === 0) return false;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  view.setUint32(32, 0);
  if (entry.extraData.length >= 8) view.setBigUint64(FIXED_BYTES, 0n);
  return true;
}

/** Extra data of at least 16 bytes: the existing bytes, then vm_state_size_large and disk_size where missing. */
function fixedExtraData(extra: Uint8Array, vmStateSize32: number, virtualSizeBytes: number): Uint8Array {
  const out = new Uint8Array(16);
  out.set(extra.subarray(0, 16));
  const view = new DataView(out.buffer);
  if (extra.length < 8) view.setBigUint64(0, BigInt(vmStateSize32));
  if (extra.length < 16) view.setBigUint64(8, BigInt(virtualSizeBytes));
  return out;
}

function encodeRaw(e: RawEntry, extra: Uint8Array): Uint8Array {
  const out = new Uint8Array(roundUp8(FIXED_BYTES + extra.length + e.idAndName.length));
  out.set(e.fixed);
  new DataView(out.buffer).setUint32(36, extra.length);
  out.set(extra, FIXED_BYTES);
  out.set(e.idAndName, FIXED_BYTES + extra.length);
  return out;
}

function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
