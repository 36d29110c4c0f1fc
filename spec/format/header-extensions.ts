/**
 * Header extensions (EXT-1..EXT-7): the {u32 type, u32 length, data, pad to 8} records after the
 * header, ended by type 0. Decoding is bounded by the extension area (see ExtensionArea); a record
 * whose type and length or whose data run past the area's end is an EXT-1 FormatError.
 */
import { BoundedReader, hex } from './bounded-reader.js';
import { FormatError } from './format-error.js';

export const extensionTypes = {
  end: 0x00000000,
  backingFormat: 0xe2792aca,
  featureNameTable: 0x6803f857,
  bitmaps: 0x23852875,
  fullDiskEncryption: 0x0537be77,
  externalDataFile: 0x44415441,
} as const;

export interface RawExtension {
  type: number;
  /** Absolute offset of the record's type field. */
  offsetBytes: number;
  data: Uint8Array;
}

export interface FeatureName {
  /** 0 incompatible, 1 compatible, 2 autoclear (EXT-5). */
  kind: number;
  bit: number;
  name: string;
}

export interface BitmapsExtension {
  bitmapCount: number;
  reserved: number;
  directorySizeBytes: bigint;
  directoryOffset: bigint;
}

export interface FdePointer {
  offsetBytes: bigint;
  lengthBytes: bigint;
}

export interface HeaderExtensions {
  all: RawExtension[];
  backingFormat?: string;
  featureNames: FeatureName[];
  bitmaps?: BitmapsExtension;
  /** Set when the bitmaps record exists but is not exactly 24 bytes (EXT-6). */
  bitmapsLengthBytes?: number;
  fdePointer?: FdePointer;
  dataFileName?: string;
  /** Records of unknown type, preserved on rewrite (EXT-2). */
  unknown: RawExtension[];
  /** Offset just past the end record (or where decoding stopped). */
  endOffsetBytes: number;
}

/**
 * Where extension records may lie (EXT-1): from the end of the header (72 for v2, header_length
 * for v3) up to the backing file name when there is one inside cluster 0, else up to the end of
 * cluster 0. Nothing else may be stored between the records and the backing file name.
 */
export interface ExtensionArea {
  startBytes: number;
  endBytes: number;
  /** True when the backing file name's offset ends the area, false when the end of cluster 0 does. */
  endsAtBackingName: boolean;
}

/** "the backing file name offset 0x74" or "the end of cluster 0 (0x10000)", for messages. */
export function extensionAreaEndLabel(area: ExtensionArea): string {
  return area.endsAtBackingName ? `the backing file name offset ${hex(area.endBytes)}` : `the end of cluster 0 (${hex(area.endBytes)})`;
}

/**
 * Decodes the extension records of `cluster0` (the image's first bytes; bytes past a short file
 * read as zeros, as QEMU reads them). Throws FormatError EXT-1 when a record's 8-byte type and
 * length, or its data, run past the area's end; an end record is bounded the same way. Padding
 * that runs past the end is not an error here (QEMU accepts it; spec/invariants judges it).
 */
export function decodeHeaderExtensions(cluster0: Uint8Array, area: ExtensionArea): HeaderExtensions {
  const endBytes = area.endBytes;
  const bytes = cluster0.length >= endBytes ? cluster0.subarray(0, endBytes) : zeroExtended(cluster0, endBytes);
  const r = new BoundedReader(bytes, 0, 'EXT-1', 'header extension');
  const result: HeaderExtensions = { all: [], featureNames: [], unknown: [], endOffsetBytes: area.startBytes };
  let pos = area.startBytes;
  while (pos < endBytes) {
    const overrun = recordOverrun(bytes, pos, endBytes);
    if (overrun !== null) throw new FormatError('EXT-1', `header extension @${hex(pos)}`, `${overrun} past ${extensionAreaEndLabel(area)}`);
    const type = r.u32(pos);
    const lengthBytes = r.u32(pos + 4);
    if (type === extensionTypes.end) {
      result.endOffsetBytes = pos + 8;
      return result;
    }
    const data = r.slice(pos + 8, lengthBytes);
    const ext: RawExtension = { type, offsetBytes: pos, data };
    result.all.push(ext);
    interpret(result, ext);
    pos += 8 + roundUp8(lengthBytes);
  }
  result.endOffsetBytes = pos;
  return result;
}

/**
 * What of the record at `pos` runs past `endBytes` (its 8-byte type and length, or its data), in
 * words, or null when the record fits. `bytes` holds at least `endBytes` bytes. The test is QEMU's:
 * the padding after the data is not counted.
 */
export function recordOverrun(bytes: Uint8Array, pos: number, endBytes: number): string | null {
  if (pos + 8 > endBytes) return `the 8-byte type and length of the record run ${pos + 8 - endBytes} bytes`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint32(pos);
  const lengthBytes = view.getUint32(pos + 4);
  if (lengthBytes > endBytes - pos - 8) return `record ${hex(type)} of ${lengthBytes} bytes of data runs ${pos + 8 + lengthBytes - endBytes} bytes`;
  return null;
}

function zeroExtended(bytes: Uint8Array, lengthBytes: number): Uint8Array {
  const out = new Uint8Array(lengthBytes);
  out.set(bytes.subarray(0, lengthBytes));
  return out;
}

function interpret(result: HeaderExtensions, ext: RawExtension): void {
  const text = () => new TextDecoder().decode(ext.data);
  switch (ext.type) {
    case extensionTypes.backingFormat:
      result.backingFormat = text();
      break;
    case extensionTypes.externalDataFile:
      result.dataFileName = text();
      break;
    case extensionTypes.featureNameTable:
      for (let i = 0; i + 48 <= ext.data.length; i += 48) {
        const nameBytes = ext.data.subarray(i + 2, i + 48);
        const nul = nameBytes.indexOf(0);
        result.featureNames.push({
          kind: ext.data[i],
          bit: ext.data[i + 1],
          name: new TextDecoder().decode(nul >= 0 ? nameBytes.subarray(0, nul) : nameBytes),
        });
      }
      break;
    case extensionTypes.bitmaps: {
      result.bitmapsLengthBytes = ext.data.length;
      if (ext.data.length < 24) break;
      const r = new BoundedReader(ext.data, ext.offsetBytes + 8, 'EXT-6', 'bitmaps extension');
      result.bitmaps = { bitmapCount: r.u32(0), reserved: r.u32(4), directorySizeBytes: r.u64(8), directoryOffset: r.u64(16) };
      break;
    }
    case extensionTypes.fullDiskEncryption: {
      if (ext.data.length < 16) break;
      const r = new BoundedReader(ext.data, ext.offsetBytes + 8, 'EXT-7', 'FDE pointer extension');
      result.fdePointer = { offsetBytes: r.u64(0), lengthBytes: r.u64(8) };
      break;
    }
    default:
      result.unknown.push(ext);
  }
}

function roundUp8(n: number): number {
  return (n + 7) & ~7;
}

/** Encodes extension records (data padded with zeros to 8) followed by the end record. */
export function encodeHeaderExtensions(records: readonly { type: number; data: Uint8Array }[]): Uint8Array {
  let total = 8;
  for (const rec of records) total += 8 + roundUp8(rec.data.length);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const rec of records) {
    view.setUint32(pos, rec.type);
    view.setUint32(pos + 4, rec.data.length);
    out.set(rec.data, pos + 8);
    pos += 8 + roundUp8(rec.data.length);
  }
  return out; // the trailing 8 zero bytes are the end record
}

/** Encodes a feature name table entry list (EXT-5). */
export function encodeFeatureNameTable(names: readonly FeatureName[]): Uint8Array {
  const out = new Uint8Array(names.length * 48);
  names.forEach((n, i) => {
    out[i * 48] = n.kind;
    out[i * 48 + 1] = n.bit;
    out.set(new TextEncoder().encode(n.name).subarray(0, 46), i * 48 + 2);
  });
  return out;
}
