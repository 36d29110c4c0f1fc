/**
 * Lost and misdirected writes over a recorded segment: replayRange rebuilds the image's bytes, a
 * lost write leaves what was there before it, a misdirected one lands elsewhere and leaves its own
 * range as before; only bytes that differ are recorded.
 */
import { describe, expect, it } from 'vitest';
import type { StorageOp } from '../../../../spec/semantics/storage-contract.js';
import { applyDamage } from '../../../../src/fuzz/damage/damage.js';
import { damageableWrites, lostWrite, misdirectedWrite, replayRange, WRITE_DAMAGE_BYTES_MAX, type Segment } from '../../../../src/fuzz/damage/write-damage.js';
import { applyOps } from '../../../../src/storage/apply-op.js';
import { CowDevice } from '../../../../src/storage/cow-device.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';

const write = (offsetBytes: number, fill: number, lengthBytes = 512): StorageOp => ({ kind: 'write', offsetBytes, lengthBytes, data: new Uint8Array(lengthBytes).fill(fill), fua: false, sizeBytesAfter: 0 });
const flush: StorageOp = { kind: 'flush', offsetBytes: 0, lengthBytes: 0, fua: false, sizeBytesAfter: 0 };

/** Base: 2048 bytes of 1s; writes: 2s at 512, 3s at 2048 (extends the file), 4s over half of the first write. */
function segment(): { seg: Segment; image: CowDevice } {
  const base = MemoryDevice.from(new Uint8Array(2048).fill(1));
  const ops = [write(512, 2), flush, write(2048, 3), write(768, 4, 256), flush];
  const image = new CowDevice(base);
  applyOps(image, ops);
  return { seg: { base, ops }, image };
}

describe('write damage', () => {
  it('replayRange with no edit gives the image\'s bytes and size', () => {
    const { seg, image } = segment();
    const r = replayRange(seg, 0, 2560, (j) => seg.ops[j]);
    expect(r.sizeBytes).toBe(image.sizeBytes);
    expect(r.bytes).toEqual(image.read(0, 2560));
  });

  it('a lost write leaves the bytes before it where no later write covered them', () => {
    const { seg, image } = segment();
    const d = lostWrite(image, seg, 0, 'l2')!;
    expect(d).toMatchObject({ kind: 'lost-write', target: 'l2' });
    expect(d.patches).toEqual([{ offsetBytes: 512, before: '02'.repeat(256), after: '01'.repeat(256) }]);
    const out = applyDamage(image, d)!;
    expect(out.read(512, 1)[0]).toBe(1);
    expect(out.read(768, 1)[0]).toBe(4);
  });

  it('a lost write that extended the file cuts it', () => {
    const { seg, image } = segment();
    const d = lostWrite(image, seg, 2, 'data')!;
    expect(d.fileSizeBytes).toBe(2048);
    expect(applyDamage(image, d)!.sizeBytes).toBe(2048);
  });

  it('a lost write that a later write covered whole changes nothing and is not drawn', () => {
    const base = MemoryDevice.from(new Uint8Array(1024));
    const ops = [write(0, 5), write(0, 6)];
    const image = new CowDevice(base);
    applyOps(image, ops);
    expect(lostWrite(image, { base, ops }, 0, 'data')).toBeNull();
  });

  it('a misdirected write lands at the other offset and leaves its own range as before it', () => {
    const { seg, image } = segment();
    const d = misdirectedWrite(image, seg, 0, 1536, 'l2')!;
    const out = applyDamage(image, d)!;
    expect(out.read(1536, 512).every((b) => b === 2)).toBe(true);
    expect(out.read(512, 256).every((b) => b === 1)).toBe(true);
    expect(out.read(768, 256).every((b) => b === 4)).toBe(true);
    expect(d.where).toMatch(/stored at 0x600 instead/);
  });

  it('refuses an overlapping target or one past the end of the file', () => {
    const { seg, image } = segment();
    expect(misdirectedWrite(image, seg, 0, 768, 'l2')).toBeNull();
    expect(misdirectedWrite(image, seg, 0, image.sizeBytes, 'l2')).toBeNull();
  });

  it('lists writes and zero writes up to the size limit, never flushes', () => {
    const big = write(0, 1, WRITE_DAMAGE_BYTES_MAX + 512);
    const zeroes: StorageOp = { kind: 'zeroes', offsetBytes: 0, lengthBytes: 512, fua: false, sizeBytesAfter: 0 };
    expect(damageableWrites({ base: new MemoryDevice(), ops: [flush, big, zeroes, write(0, 1)] })).toEqual([2, 3]);
  });
});
