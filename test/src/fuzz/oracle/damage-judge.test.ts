/**
 * judgeDamage on damaged copies of a clean image, with crashcow's repair and with test doubles
 * for the clauses a correct repair never breaks: success over a remaining finding (P7-1), a silent
 * refusal (P7-2), a repair whose own crash leaves an image it then refuses (P7-5).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { checkImage } from '../../../../src/check/check-image.js';
import { damageTargets } from '../../../../src/fuzz/damage/damage-targets.js';
import { diffPatches, type Damage } from '../../../../src/fuzz/damage/damage.js';
import { judgeDamage, type DamageJudgeContext } from '../../../../src/fuzz/oracle/damage-judge.js';
import type { CleanImage, FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { crashcowRepairer, outcomeOf } from '../../../../src/fuzz/target/crashcow-repairer.js';
import type { FuzzTarget, RecoveryRun, Repairer } from '../../../../src/fuzz/target/fuzz-target.js';
import { repairImage } from '../../../../src/repair/repair-image.js';
import type { BlockDevice } from '../../../../src/storage/block-device.js';
import { CowDevice } from '../../../../src/storage/cow-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';
import { cleanImageAfter } from '../damage/damage-fixture.js';

let run: FuzzRun;
let clean: CleanImage;
afterAll(() => run?.dispose());

const withRepairer = (r: Repairer): DamageJudgeContext => ({ ...clean.context, target: { damageRepairers: [r] } as unknown as FuzzTarget });

/** The first refcount table sector zeroed: every cluster its block covered reads refcount 0 with no block. */
function reftableZeroed(): Damage {
  const t = damageTargets(toByteSource(clean.image)).find((x) => x.role === 'refcount-table')!;
  const before = clean.image.read(t.offsetBytes, 512);
  return { kind: 'zeroed-sector', target: 'refcount-table', where: 'refcount table sector 0', patches: diffPatches(t.offsetBytes, before, new Uint8Array(512)) };
}

/** A fake repair: `write` does what it likes to a recorded copy of the state; it reports `outcome`. */
function fake(name: string, write: (rec: RecordingDevice) => RecoveryRun['outcome']): Repairer {
  return {
    name,
    async repair(state: BlockDevice): Promise<RecoveryRun> {
      const rec = new RecordingDevice(new CowDevice(state));
      const outcome = write(rec);
      return { device: rec.inner, ops: rec.ops, outcome };
    },
  };
}

describe('judgeDamage', () => {
  it('crashcow\'s repair rebuilds the refcounts of a zeroed refcount table sector: P7 holds', async () => {
    ({ run, clean } = await cleanImageAfter());
    expect(await judgeDamage(withRepairer(crashcowRepairer()), clean.image, reftableZeroed(), clean.exp)).toBeNull();
  });

  it('the repair-naive-increment mutant leaves refcount 0 on referenced clusters: P7-2 (exit 2) naming RC-6', async () => {
    const v = await judgeDamage(withRepairer(crashcowRepairer(['repair-naive-increment'])), clean.image, reftableZeroed(), clean.exp);
    expect(v).toMatchObject({ property: 'P7', rules: ['CHK-4', 'P7-2', 'RC-6'] });
    expect(v!.stage).toMatch(/^damage zeroed-sector of refcount table sector 0, after crashcow check -r all/);
  });

  it('P7-1: a repair that claims success and changes nothing', async () => {
    const v = await judgeDamage(withRepairer(fake('liar', () => ({ exitCode: 0, message: '' }))), clean.image, reftableZeroed(), clean.exp);
    expect(v).toMatchObject({ property: 'P7', rules: ['P7-1', 'RC-6'] });
    expect(v!.summary).toMatch(/liar reported success but left findings/);
  });

  it('a refusal that says why holds; a silent one is P7-2', async () => {
    expect(await judgeDamage(withRepairer(fake('refuser', () => ({ exitCode: 1, message: 'cannot read the refcount table' }))), clean.image, reftableZeroed(), clean.exp)).toBeNull();
    expect(await judgeDamage(withRepairer(fake('mute', () => ({ exitCode: 1, message: '' }))), clean.image, reftableZeroed(), clean.exp)).toMatchObject({ rules: ['CHK-4', 'P7-2'] });
  });

  it('P7-5: a repair that zeroes the header before it rewrites it refuses what its own crash left', async () => {
    const zeroesFirst = fake('header-zeroing repair', (rec) => {
      const header = rec.read(0, 512);
      rec.writeZeroes(0, 512);
      rec.flush();
      rec.write(0, header);
      rec.flush();
      return outcomeOf(repairImage(rec, 'all', checkImage, { counts: false }));
    });
    const v = await judgeDamage(withRepairer(zeroesFirst), clean.image, reftableZeroed(), clean.exp);
    expect(v).toMatchObject({ property: 'P7', rules: ['CHK-4', 'P7-5'] });
    expect(v!.stage).toMatch(/crash .* inside header-zeroing repair, then header-zeroing repair again/);
  });
});
