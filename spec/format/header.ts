/**
 * The qcow2 header (cluster 0, bytes 0..header_length): decode and encode.
 *
 * decodeHeader is lenient about values (the invariants in spec/invariants/header.ts judge them)
 * and strict about structure: it throws FormatError only when the bytes cannot be a qcow2 header
 * at all (too short, wrong magic, header_length past the bytes given). 64-bit fields stay bigint.
 */
import { BoundedReader, hex } from './bounded-reader.js';
import { FormatError } from './format-error.js';
import { limits } from './limits.js';

export const QCOW2_MAGIC = 0x514649fb;

export interface Header {
  version: number;
  backingFileOffset: bigint;
  backingFileNameBytes: number;
  clusterBits: number;
  /** Virtual disk size in bytes (HDR-12). */
  sizeBytes: bigint;
  cryptMethod: number;
  /** l1_size: number of L1 entries. */
  l1EntryCount: number;
  l1TableOffset: bigint;
  refcountTableOffset: bigint;
  refcountTableClusters: number;
  snapshotCount: number;
  snapshotsOffset: bigint;
  incompatibleFeatures: bigint;
  compatibleFeatures: bigint;
  autoclearFeatures: bigint;
  refcountOrder: number;
  /** 72 for v2; header_length for v3. */
  headerLengthBytes: number;
  /** Byte 104 when header_length > 104, else 0 (HDR-13). */
  compressionType: number;
  /** Bytes 105..header_length (padding and unknown additional fields), preserved verbatim (HDR-4). */
  additionalFields: Uint8Array;
}

/**
 * Decodes the header from the first bytes of an image (at least 72; pass the first cluster or
 * the first 4 KiB). Throws FormatError for HDR-1 (magic) or HDR-4 (truncated header).
 */
export function decodeHeader(bytes: Uint8Array): Header {
  const r = new BoundedReader(bytes, 0, 'HDR-4', 'header');
  if (bytes.length < 8) throw new FormatError('HDR-1', 'header @0x0', `file too short for a qcow2 header (${bytes.length} bytes)`);
  const magic = r.u32(0);
  if (magic !== QCOW2_MAGIC) throw new FormatError('HDR-1', 'header.magic @0x0', `not a qcow2 image (magic ${hex(magic)}, expected 0x514649fb)`);
  const version = r.u32(4);
  if (bytes.length < limits.headerV2LengthBytes) {
    throw new FormatError('HDR-4', 'header @0x0', `file too short for a qcow2 header (${bytes.length} bytes, need 72)`);
  }
  const header: Header = {
    version,
    backingFileOffset: r.u64(8),
    backingFileNameBytes: r.u32(16),
    clusterBits: r.u32(20),
    sizeBytes: r.u64(24),
    cryptMethod: r.u32(32),
    l1EntryCount: r.u32(36),
    l1TableOffset: r.u64(40),
    refcountTableOffset: r.u64(48),
    refcountTableClusters: r.u32(56),
    snapshotCount: r.u32(60),
    snapshotsOffset: r.u64(64),
    incompatibleFeatures: 0n,
    compatibleFeatures: 0n,
    autoclearFeatures: 0n,
    refcountOrder: 4,
    headerLengthBytes: limits.headerV2LengthBytes,
    compressionType: 0,
    additionalFields: new Uint8Array(0),
  };
  if (version < 3) return header;
  if (bytes.length < limits.headerV3LengthBytesMin) {
    throw new FormatError('HDR-4', 'header @0x0', `file too short for a v3 header (${bytes.length} bytes, need 104)`);
  }
  header.incompatibleFeatures = r.u64(72);
  header.compatibleFeatures = r.u64(80);
  header.autoclearFeatures = r.u64(88);
  header.refcountOrder = r.u32(96);
  header.headerLengthBytes = r.u32(100);
  const extraEnd = Math.min(header.headerLengthBytes, bytes.length);
  if (header.headerLengthBytes > limits.headerV3LengthBytesMin && extraEnd > 104) {
    header.compressionType = r.u8(104);
    header.additionalFields = r.slice(105, extraEnd - 105).slice();
  }
  return header;
}

/**
 * Encodes a header into `headerLengthBytes` bytes (72 for v2). The additional fields are written
 * back verbatim after the compression type byte.
 */
export function encodeHeader(header: Header): Uint8Array {
  const lengthBytes = header.version < 3 ? limits.headerV2LengthBytes : header.headerLengthBytes;
  const out = new Uint8Array(lengthBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, QCOW2_MAGIC);
  view.setUint32(4, header.version);
  view.setBigUint64(8, header.backingFileOffset);
  view.setUint32(16, header.backingFileNameBytes);
  view.setUint32(20, header.clusterBits);
  view.setBigUint64(24, header.sizeBytes);
  view.setUint32(32, header.cryptMethod);
  view.setUint32(36, header.l1EntryCount);
  view.setBigUint64(40, header.l1TableOffset);
  view.setBigUint64(48, header.refcountTableOffset);
  view.setUint32(56, header.refcountTableClusters);
  view.setUint32(60, header.snapshotCount);
  view.setBigUint64(64, header.snapshotsOffset);
  if (header.version < 3) return out;
  view.setBigUint64(72, header.incompatibleFeatures);
  view.setBigUint64(80, header.compatibleFeatures);
  view.setBigUint64(88, header.autoclearFeatures);
  view.setUint32(96, header.refcountOrder);
  view.setUint32(100, header.headerLengthBytes);
  if (lengthBytes > 104) {
    out[104] = header.compressionType;
    out.set(header.additionalFields.subarray(0, lengthBytes - 105), 105);
  }
  return out;
}

/** Byte offsets of header fields that QEMU updates with small synced writes (ORD-8). */
export const headerFieldOffsets = {
  l1Size: 36,
  l1TableOffset: 40,
  refcountTableOffset: 48,
  refcountTableClusters: 56,
  snapshotCount: 60,
  snapshotsOffset: 64,
  incompatibleFeatures: 72,
  compatibleFeatures: 80,
  autoclearFeatures: 88,
} as const;
