/**
 * decodeHeaderExtensions against its area (EXT-1): a record whose type and length or whose data
 * run past the backing file name offset or the end of cluster 0 is a FormatError naming where and
 * which end; padding that runs past the end is left to spec/invariants; a short file reads as zeros.
 */
import { describe, expect, it } from 'vitest';
import { isFormatError } from '../../../spec/format/format-error.js';
import { decodeHeaderExtensions, encodeHeaderExtensions, extensionTypes, type ExtensionArea } from '../../../spec/format/header-extensions.js';

const START = 112;

/** 1024 bytes whose extension records start at 112: `records` encoded there. */
function cluster0(records: { type: number; data: Uint8Array }[]): Uint8Array {
  const out = new Uint8Array(1024);
  out.set(encodeHeaderExtensions(records), START);
  return out;
}

/** The FormatError message decodeHeaderExtensions throws, or null. */
function errorOf(bytes: Uint8Array, area: ExtensionArea): string | null {
  try {
    decodeHeaderExtensions(bytes, area);
    return null;
  } catch (err) {
    if (!isFormatError(err)) throw err;
    return `${err.rule} ${err.where}: ${err.message.replace(/^.*?: /, '')}`;
  }
}

const backingFormat = { type: extensionTypes.backingFormat, data: new TextEncoder().encode('raw') };

describe('decodeHeaderExtensions', () => {
  it('decodes records that end with their end record before the backing file name', () => {
    const ext = decodeHeaderExtensions(cluster0([backingFormat]), { startBytes: START, endBytes: 136, endsAtBackingName: true });
    expect(ext.backingFormat).toBe('raw');
    expect(ext.endOffsetBytes).toBe(136);
  });

  it('refuses a record whose type and length straddle the backing file name offset, naming it', () => {
    expect(errorOf(cluster0([]), { startBytes: START, endBytes: START + 4, endsAtBackingName: true })).toBe(
      'EXT-1 header extension @0x70: the 8-byte type and length of the record run 4 bytes past the backing file name offset 0x74',
    );
  });

  it('refuses a record whose data run past the end of cluster 0, naming it', () => {
    const bytes = cluster0([{ type: 0x12345678, data: new Uint8Array(400) }]);
    expect(errorOf(bytes, { startBytes: START, endBytes: 512, endsAtBackingName: false })).toBe(
      'EXT-1 header extension @0x70: record 0x12345678 of 400 bytes of data runs 8 bytes past the end of cluster 0 (0x200)',
    );
  });

  it('refuses an end record whose length runs past the area, as QEMU does', () => {
    const bytes = cluster0([]);
    new DataView(bytes.buffer).setUint32(START + 4, 64);
    expect(errorOf(bytes, { startBytes: START, endBytes: 160, endsAtBackingName: true })).toMatch(/^EXT-1 header extension @0x70: record 0x0 of 64 bytes/);
    expect(errorOf(bytes, { startBytes: START, endBytes: 184, endsAtBackingName: true })).toBeNull();
  });

  it('leaves padding that runs into the backing file name to the invariants', () => {
    expect(errorOf(cluster0([backingFormat]), { startBytes: START, endBytes: START + 8 + 3, endsAtBackingName: true })).toBeNull();
  });

  it('reads bytes past a short file as zeros: the area then ends with an end record', () => {
    const ext = decodeHeaderExtensions(cluster0([backingFormat]).subarray(0, START + 8 + 8), { startBytes: START, endBytes: 4096, endsAtBackingName: false });
    expect(ext.backingFormat).toBe('raw');
    expect(ext.endOffsetBytes).toBe(START + 24);
  });
});
