/**
 * MUT-16 (QEMU f307b255, "Do not perform potentially damaging repairs"): a referenced cluster with
 * refcount 0 whose refcount block is missing must make `-r all` rebuild the refcount structures;
 * the mutant `repair-naive-increment` treats it as an ordinary too-low refcount fixed in place, and
 * the checker catches what that leaves. Also the engine's ordering suite's place for this mutant
 * (it has no write-ordering case: its bug is in the repair, not in the engine).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isFormatError } from '../../../spec/format/format-error.js';
import { checkImage } from '../../../src/check/check-image.js';
import { repairImage } from '../../../src/repair/repair-image.js';
import { dirtyOpenRepair } from '../../../src/repair/repair-hook.js';
import { BuiltinEngine } from '../../../src/engine/builtin/builtin-engine.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { tempDir } from '../../helpers/qemu.js';
import { Layout, writeBytes, writeU64 } from '../check/damage.js';
import { checkDevice, firstDifference, guestBytes } from './device-image.js';
import { baseCopy, crashedLazy, plain, type BaseImage } from './repair-bases.js';

const tmp = tempDir('crashcow-repair-naive-');
afterAll(() => tmp.cleanup());
const MUTANT = 'repair-naive-increment';

interface Case {
  name: string;
  base: BaseImage;
  damage: (p: string, l: Layout) => void;
  /** The mutant leaves a defect on this image (false: the unmutated repair is in place anyway). */
  mutantBreaks: boolean;
}

/** With 512-byte clusters a refcount block covers 256 clusters, so block 1 covers only data and L2 tables. */
const smallClusters = plain('cluster_size=512');

const cases: Case[] = [
  { name: 'refcount block zeroed (every cluster it covers reads 0, the block is still there)', base: plain(), damage: (p, l) => writeBytes(p, l.refblockOffset(0), new Uint8Array(l.clusterSizeBytes)), mutantBreaks: false },
  { name: 'refcount table entry zeroed (the only block is missing)', base: plain(), damage: (p, l) => writeU64(p, l.reftableEntryOffset(0), 0n), mutantBreaks: true },
  { name: 'refcount table entry of a block covering only guest data zeroed', base: smallClusters, damage: (p, l) => writeU64(p, l.reftableEntryOffset(1), 0n), mutantBreaks: true },
];

async function damaged(c: Case, name: string): Promise<{ bytes: Uint8Array; guest: Uint8Array }> {
  const p = tmp.path(name);
  await baseCopy(c.base, tmp.path, p);
  const guest = guestBytes(MemoryDevice.from(new Uint8Array(readFileSync(p))));
  c.damage(p, new Layout(p));
  return { bytes: new Uint8Array(readFileSync(p)), guest };
}

describe('repair of referenced clusters with refcount 0 (RC-6, MUT-16)', () => {
  cases.forEach((c, i) => {
    it(`${c.name}: the repair ends clean with the guest view intact`, async () => {
      const { bytes, guest } = await damaged(c, `clean-${i}.qcow2`);
      const dev = MemoryDevice.from(bytes);
      expect(checkDevice(dev).report.corruptions, 'the damage is visible').toBeGreaterThan(0);
      const result = repairImage(dev, 'all', checkImage);
      expect(result.strategy).toBe(c.mutantBreaks ? 'rebuild' : 'in-place');
      expect(checkDevice(dev).exitCode).toBe(0);
      expect(firstDifference(guestBytes(dev), guest)).toBe(-1);
    });

    if (c.mutantBreaks) {
      it(`${c.name}: mutant ${MUTANT} skips the rebuild and leaves referenced clusters at refcount 0`, async () => {
        const { bytes } = await damaged(c, `mutant-${i}.qcow2`);
        const dev = MemoryDevice.from(bytes);
        const result = repairImage(dev, 'all', checkImage, { mutants: [MUTANT] });
        // No block to raise in: the "in-place raise" writes nothing, where the repair must rebuild.
        expect(result.strategy).not.toBe('rebuild');
        const after = checkDevice(dev);
        expect(after.report.corruptions).toBeGreaterThan(0);
        expect(after.exitCode).not.toBe(0);
      });
    }
  });

  it(`the engine's dirty open with ${MUTANT} fails the open (FEAT-1); without it the repaired image opens with its data`, async () => {
    const p = tmp.path('dirty-missing-block.qcow2');
    await baseCopy(crashedLazy, tmp.path, p);
    writeU64(p, new Layout(p).reftableEntryOffset(0), 0n);
    const bytes = new Uint8Array(readFileSync(p));
    const engine = new BuiltinEngine();

    const mutated = MemoryDevice.from(bytes.slice());
    const err = await engine.open({ device: mutated }, { repair: dirtyOpenRepair(checkImage), mutants: [MUTANT] }).catch((e: unknown) => e);
    expect(isFormatError(err) && err.rule).toBe('FEAT-1');

    const device = MemoryDevice.from(bytes.slice());
    const image = await engine.open({ device }, { repair: dirtyOpenRepair(checkImage) });
    expect((await image.read(12 << 20, 65536)).every((b) => b === 8)).toBe(true);
    await image.close();
    expect(checkDevice(device).exitCode).toBe(0);
  });
});
