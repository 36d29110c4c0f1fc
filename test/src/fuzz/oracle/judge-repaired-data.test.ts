/**
 * P7-3 and P7-4 on repaired images made by hand from a clean one: the clean image passes; a data
 * byte changed under an undamaged mapping is P7-3; an entry wired to another guest cluster's data
 * is P7-4 unless the damaged image already read it so; a damaged mapping may read zeros.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readImageMeta } from '../../../../spec/format/image-meta.js';
import { mappingDamage, type MappingDamage } from '../../../../spec/semantics/mapping-damage.js';
import { judgeRepairedData } from '../../../../src/fuzz/oracle/judge-repaired-data.js';
import type { CleanImage, FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import type { BlockDevice } from '../../../../src/storage/block-device.js';
import { CowDevice } from '../../../../src/storage/cow-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';
import { cleanImageAfter, CONTENT_SEED } from '../damage/damage-fixture.js';

let run: FuzzRun;
let clean: CleanImage;
afterAll(() => run?.dispose());

/** The big-endian word at `at` of `device`. */
function u64At(device: BlockDevice, at: number): bigint {
  const b = device.read(at, 8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}

/** Host offset of guest cluster g's L2 entry in the clean image (one L2 table covers the 1 MiB disk). */
function l2EntryAt(g: number): number {
  const l1 = Number(readImageMeta(toByteSource(clean.image)).header.l1TableOffset);
  return Number(u64At(clean.image, l1) & 0x00fffffffffffe00n) + g * 8;
}

function judge(repaired: BlockDevice, damaged: BlockDevice, damage: MappingDamage) {
  return judgeRepairedData({ repaired: toByteSource(repaired), damaged: toByteSource(damaged), backing: undefined, exp: clean.exp, contentSeed: CONTENT_SEED, damage, stage: 'test' });
}

const none = (): MappingDamage => ({ all: false, clusters: new Set(), clusterSizeBytes: 4096 });

describe('judgeRepairedData', () => {
  it('passes the clean image itself', async () => {
    ({ run, clean } = await cleanImageAfter());
    expect(judge(clean.image, clean.image, none())).toBeNull();
  });

  it('P7-3: a byte of guest cluster 1 changed although its mapping was not damaged', () => {
    const repaired = new CowDevice(clean.image);
    const host = Number(u64At(repaired, l2EntryAt(1)) & 0x00fffffffffffe00n);
    repaired.write(host + 600, Uint8Array.of(0xee));
    const v = judge(repaired, clean.image, none());
    expect(v).toMatchObject({ property: 'P7', rules: ['P7-3', 'REP-4'], sector: { sectorIndex: 9 } });
    // The same change in a cluster the damage reached is allowed.
    expect(judge(repaired, clean.image, { ...none(), clusters: new Set([1]) })).toBeNull();
  });

  it('P7-4: guest cluster 0 wired to cluster 5\'s data, which the damaged image did not read there', () => {
    const repaired = new CowDevice(clean.image);
    repaired.write(l2EntryAt(0), repaired.read(l2EntryAt(5), 8));
    const damaged = new CowDevice(clean.image);
    damaged.write(l2EntryAt(0) + 6, Uint8Array.of(0xff));
    const d = mappingDamage(toByteSource(clean.image), toByteSource(damaged), [{ offsetBytes: l2EntryAt(0) + 6, lengthBytes: 1 }]);
    expect(d.clusters.has(0)).toBe(true);
    const v = judge(repaired, damaged, d);
    expect(v).toMatchObject({ property: 'P7', rules: ['P7-4', 'REP-4'], sector: { sectorIndex: 0 } });
    expect(v!.summary).toMatch(/another guest offset/);
    // When the damage itself wired it so, a repair that keeps it adds nothing.
    expect(judge(repaired, repaired, d)).toBeNull();
  });
});
