/**
 * extensionAreaFindings (EXT-1): the records against the area's end, judged as QEMU judges them
 * (a record or its type and length past the end is a check error) plus the spec's rule that the
 * backing file name overlaps nothing (padding that runs into it is a corruption).
 */
import { describe, expect, it } from 'vitest';
import { encodeHeaderExtensions, extensionTypes, type ExtensionArea } from '../../../spec/format/header-extensions.js';
import { extensionAreaFindings } from '../../../spec/invariants/extensions.js';

const START = 112;
const bytesWith = (records: { type: number; data: Uint8Array }[]): Uint8Array => {
  const out = new Uint8Array(512);
  out.set(encodeHeaderExtensions(records), START);
  return out;
};
const judged = (bytes: Uint8Array, area: ExtensionArea) => extensionAreaFindings(bytes, area).map((f) => `${f.rule}/${f.kind} ${f.where}: ${f.detail}`);
const fiveBytes = { type: extensionTypes.backingFormat, data: new TextEncoder().encode('qcow2') };

describe('extensionAreaFindings (EXT-1)', () => {
  it('finds nothing when the records and their end record fit before the backing file name', () => {
    expect(judged(bytesWith([fiveBytes]), { startBytes: START, endBytes: START + 24, endsAtBackingName: true })).toEqual([]);
  });

  it('finds nothing when the backing file name starts inside the header (no room, no records)', () => {
    expect(judged(bytesWith([fiveBytes]), { startBytes: START, endBytes: 104, endsAtBackingName: true })).toEqual([]);
  });

  it('a record header straddling the backing file name offset is a check error naming both', () => {
    expect(judged(bytesWith([]), { startBytes: START, endBytes: START + 4, endsAtBackingName: true })).toEqual([
      'EXT-1/check-error header extension @0x70: the 8-byte type and length of the record run 4 bytes past the backing file name offset 0x74',
    ]);
  });

  it('a record running past the end of cluster 0 is a check error', () => {
    const bytes = bytesWith([{ type: 0x12345678, data: new Uint8Array(384) }]);
    expect(judged(bytes, { startBytes: START, endBytes: 256, endsAtBackingName: false })).toEqual([
      'EXT-1/check-error header extension @0x70: record 0x12345678 of 384 bytes of data runs 248 bytes past the end of cluster 0 (0x100)',
    ]);
  });

  it('padding that runs into the backing file name is a corruption; at the end of cluster 0 it is not', () => {
    const bytes = bytesWith([fiveBytes]);
    expect(judged(bytes, { startBytes: START, endBytes: START + 14, endsAtBackingName: true })).toEqual([
      'EXT-1/corruption header extension @0x70: the padding of record 0xe2792aca runs 2 bytes past the backing file name offset 0x7e: the name overlaps the record',
    ]);
    expect(judged(bytes, { startBytes: START, endBytes: START + 14, endsAtBackingName: false })).toEqual([]);
  });
});
