import { describe, expect, it } from 'vitest';
import { canonicalizeCodes, distinctPrefixCodes } from '../../../../src/storage/crash-states/canonical-codes.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

const SECTOR = 512;

describe('distinctPrefixCodes', () => {
  it('keeps the first code of each distinct prefix', () => {
    const versions = [Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 9), Uint8Array.of(4, 2, 3), Uint8Array.of(1, 2, 3)];
    expect(distinctPrefixCodes(versions, 2)).toEqual([0, 2]);
    expect(distinctPrefixCodes(versions, 3)).toEqual([0, 1, 2]);
  });
});

describe('canonicalizeCodes', () => {
  /**
   * A file of 1.5 sectors grown to 3 sectors: sector 1 (cut at 256 bytes by the old size) gets two
   * writes that differ only past the cut, sector 2 lies past the old end.
   */
  function model() {
    const base = new Uint8Array(SECTOR + SECTOR / 2).fill(7);
    const rec = new RecordingDevice(MemoryDevice.from(base));
    rec.write(SECTOR, new Uint8Array(2 * SECTOR).fill(1));
    const late = new Uint8Array(SECTOR).fill(1);
    late.fill(2, SECTOR / 2);
    rec.write(SECTOR, late);
    const plan = new CrashPlan(MemoryDevice.from(base), rec.ops);
    return plan.model(rec.ops.length);
  }

  it('sets sectors past the chosen size to code 0 and the cut sector to the first code with its bytes below the cut', () => {
    // Arrange
    const m = model();
    const oldSize = m.sizesBytes.indexOf(SECTOR + SECTOR / 2);
    const sector1 = m.touched.lowerBound(1);
    const sector2 = m.touched.lowerBound(2);
    const codes = m.newCodes();
    codes[sector1] = m.versions[sector1].length - 2; // the first write: same as the second below the cut
    codes[sector2] = 1;
    // Act
    canonicalizeCodes(m, codes, oldSize);
    // Assert
    expect(oldSize).toBeGreaterThanOrEqual(0);
    expect(codes[sector1]).toBe(0);
    expect(codes[sector2]).toBe(0);
  });

  it('leaves codes inside the chosen size alone', () => {
    const m = model();
    const grown = m.sizesBytes.indexOf(3 * SECTOR);
    const codes = m.newCodes();
    codes.fill(1);
    expect([...canonicalizeCodes(m, codes.slice(), grown)]).toEqual([...codes]);
  });
});
