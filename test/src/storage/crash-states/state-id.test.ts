import { describe, expect, it } from 'vitest';
import { isFormatError } from '../../../../spec/format/format-error.js';
import { encodeStateId, expandRuns, parseStateId } from '../../../../src/storage/crash-states/state-id.js';

describe('state ids', () => {
  it('encode runs of codes and leave out trailing zeros', () => {
    expect(encodeStateId(17, 512, 0, new Uint32Array([0, 0, 0, 1, 1, 2, 0, 0]))).toBe('c17.g9.z0.0:3_1:2_2');
    expect(encodeStateId(3, 4096, 2, new Uint32Array(5))).toBe('c3.g12.z2');
  });

  it('parse back to the same codes', () => {
    const codes = new Uint32Array([5, 0, 0, 0, 7, 7, 0, 0, 0, 0]);
    const id = encodeStateId(9, 512, 1, codes);
    const parsed = parseStateId(id);
    expect(parsed).toMatchObject({ crashPoint: 9, sectorSizeBytes: 512, sizeCode: 1 });
    expect(expandRuns(parsed, new Uint32Array(codes.length), id)).toEqual(codes);
  });

  it.each(['', 'c1', 'c1.g9', 'x1.g9.z0', 'c1.g9.z0.', 'c1.g9.z0.1::2', 'c1.g3.z0', 'c1.g9.z0.1_'])('rejects "%s" with STATE-ID', (id) => {
    let err: unknown;
    try {
      parseStateId(id);
    } catch (e) {
      err = e;
    }
    expect(isFormatError(err) && err.rule).toBe('STATE-ID');
  });

  it('rejects runs longer than the touched sectors', () => {
    const id = 'c1.g9.z0.1:5';
    expect(() => expandRuns(parseStateId(id), new Uint8Array(4), id)).toThrow(/runs cover more/);
  });
});
