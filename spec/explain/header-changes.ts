/**
 * headerChanges: the header fields a write changed, by their qcow2 names, decoded before and after
 * through spec/format's header codec. A header that no longer decodes (the magic torn away) is
 * told by its raw bytes.
 */
import { decodeHeader, type Header } from '../format/header.js';
import { incompatibleBits } from '../format/feature-bits.js';
import type { HeaderFieldChange } from './change-label.js';

interface HeaderField {
  name: string;
  offsetBytes: number;
  sizeBytes: number;
  /** The decoded field; absent for the magic, which decodeHeader checks rather than keeps. */
  key?: keyof Header;
}

/** The header's fields in on-disk order (the qcow2 specification's names). */
const FIELDS: readonly HeaderField[] = [
  { name: 'magic', offsetBytes: 0, sizeBytes: 4 },
  { name: 'version', offsetBytes: 4, sizeBytes: 4, key: 'version' },
  { name: 'backing_file_offset', offsetBytes: 8, sizeBytes: 8, key: 'backingFileOffset' },
  { name: 'backing_file_size', offsetBytes: 16, sizeBytes: 4, key: 'backingFileNameBytes' },
  { name: 'cluster_bits', offsetBytes: 20, sizeBytes: 4, key: 'clusterBits' },
  { name: 'size', offsetBytes: 24, sizeBytes: 8, key: 'sizeBytes' },
  { name: 'crypt_method', offsetBytes: 32, sizeBytes: 4, key: 'cryptMethod' },
  { name: 'l1_size', offsetBytes: 36, sizeBytes: 4, key: 'l1EntryCount' },
  { name: 'l1_table_offset', offsetBytes: 40, sizeBytes: 8, key: 'l1TableOffset' },
  { name: 'refcount_table_offset', offsetBytes: 48, sizeBytes: 8, key: 'refcountTableOffset' },
  { name: 'refcount_table_clusters', offsetBytes: 56, sizeBytes: 4, key: 'refcountTableClusters' },
  { name: 'nb_snapshots', offsetBytes: 60, sizeBytes: 4, key: 'snapshotCount' },
  { name: 'snapshots_offset', offsetBytes: 64, sizeBytes: 8, key: 'snapshotsOffset' },
  { name: 'incompatible_features', offsetBytes: 72, sizeBytes: 8, key: 'incompatibleFeatures' },
  { name: 'compatible_features', offsetBytes: 80, sizeBytes: 8, key: 'compatibleFeatures' },
  { name: 'autoclear_features', offsetBytes: 88, sizeBytes: 8, key: 'autoclearFeatures' },
  { name: 'refcount_order', offsetBytes: 96, sizeBytes: 4, key: 'refcountOrder' },
  { name: 'header_length', offsetBytes: 100, sizeBytes: 4, key: 'headerLengthBytes' },
  { name: 'compression_type', offsetBytes: 104, sizeBytes: 1, key: 'compressionType' },
];

/** The end of the fields this file names. */
export const HEADER_FIELDS_END_BYTES = 105;

/**
 * The fields overlapping header bytes [fromBytes, toBytes) whose bytes differ between `before`
 * and `after` (each the first bytes of the image, at least HEADER_FIELDS_END_BYTES where they exist).
 */
export function headerChanges(before: Uint8Array, after: Uint8Array, fromBytes: number, toBytes: number): HeaderFieldChange[] {
  const decodedBefore = decodeOrNull(before);
  const decodedAfter = decodeOrNull(after);
  const out: HeaderFieldChange[] = [];
  for (const f of FIELDS) {
    const end = f.offsetBytes + f.sizeBytes;
    if (end <= fromBytes || f.offsetBytes >= toBytes) continue;
    const rawBefore = rawField(before, f);
    const rawAfter = rawField(after, f);
    if (rawBefore === rawAfter) continue;
    out.push({ name: f.name, before: valueText(f, decodedBefore, rawBefore), after: valueText(f, decodedAfter, rawAfter) });
  }
  return out;
}

function decodeOrNull(bytes: Uint8Array): Header | null {
  try {
    return decodeHeader(bytes);
  } catch {
    return null;
  }
}

/** The field's bytes as hex ("" past the end of the bytes given). */
function rawField(bytes: Uint8Array, f: HeaderField): string {
  let s = '';
  for (let i = f.offsetBytes; i < f.offsetBytes + f.sizeBytes && i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

function valueText(f: HeaderField, decoded: Header | null, raw: string): string {
  if (raw === '') return '(absent)';
  const value = decoded !== null && f.key !== undefined ? decoded[f.key] : undefined;
  if (typeof value !== 'number' && typeof value !== 'bigint') return '0x' + raw;
  const asHex = f.name.endsWith('offset') || f.name.endsWith('features');
  const text = asHex ? '0x' + value.toString(16) : value.toString();
  return f.name === 'incompatible_features' && typeof value === 'bigint' ? text + featureNote(value) : text;
}

/** " (dirty)", " (dirty, corrupt)": the incompatible bits people look for after a crash. */
function featureNote(bits: bigint): string {
  const names: string[] = [];
  if ((bits & incompatibleBits.dirty) !== 0n) names.push('dirty');
  if ((bits & incompatibleBits.corrupt) !== 0n) names.push('corrupt');
  return names.length > 0 ? ` (${names.join(', ')})` : '';
}
