/** Damage records: hex patches diffed byte-exact, applied over an image without writing it, refused on another image. */
import { describe, expect, it } from 'vitest';
import { applyDamage, changedRanges, damagedByteCount, diffPatches, fromHex, toHex, type Damage } from '../../../../src/fuzz/damage/damage.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';

const image = (): MemoryDevice => MemoryDevice.from(Uint8Array.from({ length: 64 }, (_, i) => i));

describe('damage records', () => {
  it('hex round-trips bytes', () => {
    const b = Uint8Array.of(0, 1, 0xab, 0xff);
    expect(toHex(b)).toBe('0001abff');
    expect(fromHex(toHex(b))).toEqual(b);
  });

  it('diffPatches makes one patch per run of changes, joining runs closer than 8 bytes', () => {
    const before = new Uint8Array(40);
    const after = before.slice();
    after[2] = 1;
    after[6] = 2;
    after[30] = 3;
    expect(diffPatches(100, before, after)).toEqual([
      { offsetBytes: 102, before: '0000000000', after: '0100000002' },
      { offsetBytes: 130, before: '00', after: '03' },
    ]);
    expect(diffPatches(0, before, before)).toEqual([]);
  });

  it('applyDamage writes the patches over a copy and cuts the size; the image itself is untouched', () => {
    const img = image();
    const d: Damage = { kind: 'lost-write', target: 'l2', where: 'x', patches: [{ offsetBytes: 4, before: '0405', after: 'ffff' }], fileSizeBytes: 32 };
    const out = applyDamage(img, d)!;
    expect(out.sizeBytes).toBe(32);
    expect([...out.read(3, 4)]).toEqual([3, 0xff, 0xff, 6]);
    expect([...img.read(4, 2)]).toEqual([4, 5]);
    expect(changedRanges(d, 64)).toEqual([{ offsetBytes: 4, lengthBytes: 2 }, { offsetBytes: 32, lengthBytes: 32 }]);
    expect(damagedByteCount(d)).toBe(2);
  });

  it('applyDamage refuses an image that does not hold the recorded before bytes', () => {
    const d: Damage = { kind: 'bit-flip', target: 'header', where: 'x', patches: [{ offsetBytes: 4, before: '0406', after: '0407' }] };
    expect(applyDamage(image(), d)).toBeNull();
    expect(applyDamage(image(), { ...d, patches: [{ offsetBytes: 63, before: '3f00', after: '0000' }] })).toBeNull();
  });
});
