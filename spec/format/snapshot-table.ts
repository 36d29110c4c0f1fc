/**
 * The internal snapshot table (SN-1..SN-3): `nb_snapshots` variable-length entries at
 * `snapshots_offset`, each padded to a multiple of 8. Decoding reads through a ByteSource in
 * bounded steps and never allocates from a count or length before checking it against a limit.
 */
import { BoundedReader, hex } from './bounded-reader.js';
import type { ByteSource } from './byte-source.js';
import { FormatError } from './format-error.js';
import { limits } from './limits.js';

export interface SnapshotEntry {
  /** Absolute offset of the entry in the image. */
  entryOffsetBytes: number;
  /** Entry length in bytes including padding. */
  entrySizeBytes: number;
  l1TableOffset: bigint;
  l1EntryCount: number;
  id: string;
  name: string;
  dateSeconds: number;
  dateNanoseconds: number;
  vmClockNanoseconds: bigint;
  /** The 32-bit vm_state_size field; see vmStateSizeLarge. */
  vmStateSize32: number;
  extraData: Uint8Array;
  /** Extra data bytes 0..7 (vm_state_size_large) when present (SN-3). */
  vmStateSizeLarge?: bigint;
  /** Extra data bytes 8..15 (disk_size) when present. */
  diskSizeBytes?: bigint;
  /** Extra data bytes 16..23 (icount) when present; -1 means disabled. */
  icount?: bigint;
}

const FIXED_BYTES = 40;

/**
 * Decodes `count` entries at `offsetBytes`. Throws FormatError (rule SN-1 for a table past the
 * end of the file, QIMPL-SN-EXTRA for oversized extra data, QIMPL-SN-TABLE for a table past 64 MiB).
 */
export function decodeSnapshotTable(source: ByteSource, offsetBytes: number, count: number): SnapshotEntry[] {
  if (count > limits.snapshotCountMax) {
    throw new FormatError('HDR-10', 'header.nb_snapshots @60', `${count} snapshots exceed QEMU's limit of ${limits.snapshotCountMax}`);
  }
  const entries: SnapshotEntry[] = [];
  let pos = offsetBytes;
  for (let i = 0; i < count; i++) {
    if (pos - offsetBytes > limits.snapshotTableSizeBytesMax) {
      throw new FormatError('QIMPL-SN-TABLE', `snapshot[${i}] @${hex(pos)}`, `snapshot table exceeds ${limits.snapshotTableSizeBytesMax} bytes`);
    }
    const entry = decodeSnapshotEntry(source, pos, i);
    entries.push(entry);
    pos += entry.entrySizeBytes;
  }
  return entries;
}

function decodeSnapshotEntry(source: ByteSource, pos: number, i: number): SnapshotEntry {
  const where = `snapshot[${i}]`;
  const fixed = new BoundedReader(source.read(pos, FIXED_BYTES), pos, 'SN-1', where);
  const idBytes = fixed.u16(12);
  const nameBytes = fixed.u16(14);
  const extraBytes = fixed.u32(36);
  if (extraBytes > limits.snapshotExtraDataBytesMax) {
    throw new FormatError('QIMPL-SN-EXTRA', `${where}.extra_data_size @${hex(pos + 36)}`, `extra data of ${extraBytes} bytes exceeds ${limits.snapshotExtraDataBytesMax}`);
  }
  const variableBytes = extraBytes + idBytes + nameBytes;
  const rest = new BoundedReader(source.read(pos + FIXED_BYTES, variableBytes), pos + FIXED_BYTES, 'SN-1', where);
  const extraData = rest.slice(0, extraBytes).slice();
  const extra = new BoundedReader(extraData, pos + FIXED_BYTES, 'SN-3', `${where}.extra_data`);
  const entry: SnapshotEntry = {
    entryOffsetBytes: pos,
    entrySizeBytes: roundUp8(FIXED_BYTES + variableBytes),
    l1TableOffset: fixed.u64(0),
    l1EntryCount: fixed.u32(8),
    dateSeconds: fixed.u32(16),
    dateNanoseconds: fixed.u32(20),
    vmClockNanoseconds: fixed.u64(24),
    vmStateSize32: fixed.u32(32),
    extraData,
    id: rest.text(extraBytes, idBytes),
    name: rest.text(extraBytes + idBytes, nameBytes),
  };
  if (extraBytes >= 8) entry.vmStateSizeLarge = extra.u64(0);
  if (extraBytes >= 16) entry.diskSizeBytes = extra.u64(8);
  if (extraBytes >= 24) entry.icount = extra.u64(16);
  return entry;
}

function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** The VM state size: the 64-bit extra-data field when present, else the 32-bit one (SN-3). */
export function snapshotVmStateSizeBytes(entry: SnapshotEntry): number {
  return entry.vmStateSizeLarge !== undefined ? Number(entry.vmStateSizeLarge) : entry.vmStateSize32;
}

/** Encodes entries (extra data, id and name as given) into one contiguous table. */
export function encodeSnapshotTable(entries: readonly Omit<SnapshotEntry, 'entryOffsetBytes' | 'entrySizeBytes'>[]): Uint8Array {
  const enc = new TextEncoder();
  const parts = entries.map((e) => {
    const id = enc.encode(e.id);
    const name = enc.encode(e.name);
    const out = new Uint8Array(roundUp8(FIXED_BYTES + e.extraData.length + id.length + name.length));
    const view = new DataView(out.buffer);
    view.setBigUint64(0, e.l1TableOffset);
    view.setUint32(8, e.l1EntryCount);
    view.setUint16(12, id.length);
    view.setUint16(14, name.length);
    view.setUint32(16, e.dateSeconds);
    view.setUint32(20, e.dateNanoseconds);
    view.setBigUint64(24, e.vmClockNanoseconds);
    view.setUint32(32, e.vmStateSize32);
    view.setUint32(36, e.extraData.length);
    out.set(e.extraData, FIXED_BYTES);
    out.set(id, FIXED_BYTES + e.extraData.length);
    out.set(name, FIXED_BYTES + e.extraData.length + id.length);
    return out;
  });
  const total = parts.reduce((s, p) => s + p.length, 0);
  const table = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    table.set(p, pos);
    pos += p.length;
  }
  return table;
}

/**
 * A copy of one encoded snapshot entry (`entryBytes`, as the table holds it) with its
 * l1_table_offset field (bytes 0..7) set to `l1TableOffsetBytes`; every other byte is kept.
 */
export function withSnapshotL1TableOffset(entryBytes: Uint8Array, l1TableOffsetBytes: number): Uint8Array {
  const out = entryBytes.slice();
  new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(0, BigInt(l1TableOffsetBytes));
  return out;
}

/** One snapshot table from encoded entries (each already padded to a multiple of 8), in order. */
export function joinSnapshotEntries(entries: readonly Uint8Array[]): Uint8Array {
  const table = new Uint8Array(entries.reduce((n, e) => n + e.length, 0));
  let pos = 0;
  for (const e of entries) {
    table.set(e, pos);
    pos += e.length;
  }
  return table;
}
