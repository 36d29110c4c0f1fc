/**
 * Map extents and block status over chains of layers: qemu-img map's depth, present and zero
 * rules, its merging, and the link between what map claims and what the guest reads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuestView } from '../../../spec/semantics/guest-view.js';
import { RunFlag } from '../../../spec/semantics/layer.js';
import { mapExtents, type MapExtent } from '../../../spec/semantics/map-extents.js';
import { FakeLayer, type Segment } from './fake-layer.js';

const { data, zero, offsetValid } = RunFlag;
const DATA = data | offsetValid;
const host = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i % 251) + 1);

function strip(extents: MapExtent[]) {
  return extents.map(({ file: _file, ...rest }) => rest);
}

describe('block status rules', () => {
  it('walks down unallocated ranges and counts depth; merges contiguous offsets', () => {
    const base = new FakeLayer('base', 4096, [{ startBytes: 0, endBytes: 4096, flags: DATA, hostBytes: 0 }], host(8192));
    const top = new FakeLayer('top', 4096, [
      { startBytes: 0, endBytes: 1024, flags: DATA, hostBytes: 512 },
      { startBytes: 1024, endBytes: 2048, flags: DATA, hostBytes: 1536 },
      { startBytes: 2048, endBytes: 3072, flags: 0 },
      { startBytes: 3072, endBytes: 4096, flags: zero },
    ], host(8192), base);
    expect(strip([...mapExtents(top)])).toEqual([
      { start: 0, length: 2048, depth: 0, present: true, zero: false, data: true, offset: 512 },
      { start: 2048, length: 1024, depth: 1, present: true, zero: false, data: true, offset: 2048 },
      { start: 3072, length: 1024, depth: 0, present: true, zero: true, data: false },
    ]);
  });

  it('does not merge data whose offsets jump, nor equal flags at different depths', () => {
    const base = new FakeLayer('base', 2048, [{ startBytes: 0, endBytes: 2048, flags: zero }], host(0));
    const top = new FakeLayer('top', 3072, [
      { startBytes: 0, endBytes: 512, flags: DATA, hostBytes: 0 },
      { startBytes: 512, endBytes: 1024, flags: DATA, hostBytes: 4096 },
      { startBytes: 1024, endBytes: 1536, flags: zero },
      { startBytes: 1536, endBytes: 3072, flags: 0 },
    ], host(8192), base);
    expect(strip([...mapExtents(top)]).map((e) => [e.start, e.length, e.depth, e.zero])).toEqual([
      [0, 512, 0, false],
      [512, 512, 0, false],
      [1024, 512, 0, true],
      [1536, 512, 1, true],
      [2048, 1024, 0, true], // past the backing file's end: zeros at depth 0, not present
    ]);
  });

  it('reports the bottom layer’s unallocated ranges as zero, not present, keeping a reserved offset', () => {
    const only = new FakeLayer('only', 2048, [
      { startBytes: 0, endBytes: 1024, flags: offsetValid, hostBytes: 65536 },
      { startBytes: 1024, endBytes: 2048, flags: 0 },
    ], host(0));
    expect(strip([...mapExtents(only)])).toEqual([
      { start: 0, length: 1024, depth: 0, present: false, zero: true, data: false, offset: 65536 },
      { start: 1024, length: 1024, depth: 0, present: false, zero: true, data: false },
    ]);
  });

  it('splits a range at the end of a shorter backing layer', () => {
    const base = new FakeLayer('base', 1000, [{ startBytes: 0, endBytes: 1000, flags: DATA, hostBytes: 0 }], host(1000));
    const top = new FakeLayer('top', 3000, [{ startBytes: 0, endBytes: 3000, flags: 0 }], host(0), base);
    expect(strip([...mapExtents(top)]).map((e) => [e.start, e.length, e.depth, e.present])).toEqual([
      [0, 1000, 1, true],
      [1000, 2000, 0, false],
    ]);
  });
});

/** Random segment lists over [0, size) in 512-byte units. */
function segmentsArb(sizeUnits: number, hostUnits: number) {
  return fc
    .array(fc.record({ units: fc.integer({ min: 1, max: 6 }), kind: fc.constantFrom(0, 1, 2, 3, 4), hostUnit: fc.nat(hostUnits - 7) }), { minLength: sizeUnits, maxLength: sizeUnits })
    .map((raw) => {
      const segments: Segment[] = [];
      let pos = 0;
      for (const r of raw) {
        if (pos >= sizeUnits) break;
        const end = Math.min(sizeUnits, pos + r.units);
        const flags = [0, zero, DATA, zero | offsetValid, offsetValid][r.kind];
        segments.push({ startBytes: pos * 512, endBytes: end * 512, flags, hostBytes: r.hostUnit * 512 });
        pos = end;
      }
      if (pos < sizeUnits) segments.push({ startBytes: pos * 512, endBytes: sizeUnits * 512, flags: 0 });
      return segments;
    });
}

describe('map extents, property', () => {
  it('tile the disk, are maximal, and agree with what the guest reads', () => {
    fc.assert(
      fc.property(segmentsArb(24, 64), segmentsArb(16, 64), (topSegments, baseSegments) => {
        const hostBytes = host(64 * 512);
        const base = new FakeLayer('base', 16 * 512, baseSegments, hostBytes);
        const top = new FakeLayer('top', 24 * 512, topSegments, hostBytes, base);
        const extents = [...mapExtents(top)];
        const view = new GuestView(top);
        let pos = 0;
        extents.forEach((e, i) => {
          expect(e.start).toBe(pos);
          pos += e.length;
          const next = extents[i + 1];
          if (next) {
            const sameFlags = next.depth === e.depth && next.present === e.present && next.zero === e.zero && next.data === e.data;
            const continues = e.offset === undefined ? next.offset === undefined : next.offset === e.offset + e.length;
            expect(sameFlags && continues, `extents ${i} and ${i + 1} should have merged`).toBe(false);
          }
          const guest = view.read(e.start, e.length);
          if (e.zero) expect(guest.every((b) => b === 0)).toBe(true);
          else if (e.offset !== undefined) expect([...guest]).toEqual([...hostBytes.subarray(e.offset, e.offset + e.length)]);
        });
        expect(pos).toBe(24 * 512);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
