/**
 * applyFailedOp: a failed data op leaves each sector it touched with its values before and after
 * (P6: done or not, sector by sector); other sectors and other ops are left alone.
 */
import { describe, expect, it } from 'vitest';
import { GuestModel } from '../../../../src/fuzz/model/guest-model.js';
import { applyFailedOp, isDataOp } from '../../../../src/fuzz/nemesis/failed-op-effect.js';

function model(): GuestModel {
  return new GuestModel({ virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, backingSizeBytes: 0 });
}

describe('applyFailedOp', () => {
  it('keeps both the old and the new value of every sector a failed write touched', () => {
    const m = model();
    m.apply({ kind: 'write', offsetBytes: 0, lengthBytes: 1024, writeId: 1 });
    const effect = applyFailedOp(m, { kind: 'write', offsetBytes: 512, lengthBytes: 1024, writeId: 2 });
    expect(m.candidates(0)).toEqual(['1']);
    expect(m.candidates(1)).toEqual(['1', '2']);
    expect(m.candidates(2)).toEqual(['z', '2']);
    expect([...effect.sectors.keys()]).toEqual([1, 2]);
    expect(effect.sectors.get(2)).toEqual(['z', '2']);
  });

  it('a failed write-zeroes over zeros leaves the sector at its base value', () => {
    const m = model();
    applyFailedOp(m, { kind: 'write-zeroes', offsetBytes: 0, lengthBytes: 512, unmap: false });
    expect(m.values.has(0)).toBe(false);
    expect(m.candidates(0)).toEqual(['z']);
  });

  it('takes data ops only', () => {
    expect(isDataOp({ kind: 'discard', offsetBytes: 0, lengthBytes: 1 })).toBe(true);
    expect(isDataOp({ kind: 'flush' })).toBe(false);
    expect(() => applyFailedOp(model(), { kind: 'snapshot-create', name: 's' })).toThrow(/assertion/);
  });
});
