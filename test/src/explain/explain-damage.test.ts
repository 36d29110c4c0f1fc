/**
 * explainDamage: the damage's patches labelled against the clean image (an L2 entry by index and
 * guest range), each repair's report and writes, and the verdict's witness tied to them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import type { Damage } from '../../../src/fuzz/damage/damage.js';
import { damageWitness, explainDamage } from '../../../src/explain/explain-damage.js';
import type { ExplainedVerdict } from '../../../src/explain/explanation.js';
import type { FuzzRun } from '../../../src/fuzz/runner/fuzz-run.js';
import { toByteSource } from '../../../src/storage/to-byte-source.js';
import { cleanImageAfter } from '../fuzz/damage/damage-fixture.js';

const runs: FuzzRun[] = [];
afterAll(async () => {
  for (const r of runs) await r.dispose();
});

/** A bit flip of guest cluster 0's L2 entry, pushing its offset past the end of the file. */
async function pastEof(mutants: Array<'repair-trusts-past-eof'>) {
  const { run, clean } = await cleanImageAfter(undefined, mutants);
  runs.push(run);
  const source = toByteSource(clean.image);
  const l1 = Number(readImageMeta(source).header.l1TableOffset);
  const w = source.read(l1, 8);
  const l2 = Number(new DataView(w.buffer, w.byteOffset, 8).getBigUint64(0) & 0x00fffffffffffe00n);
  const at = l2 + 5;
  const before = source.read(at, 1)[0];
  const damage: Damage = { kind: 'bit-flip', target: 'l2', where: 'L2 entry 0, bit 20', patches: [{ offsetBytes: at, before: before.toString(16).padStart(2, '0'), after: (before ^ 0x10).toString(16).padStart(2, '0') }] };
  return { clean, damage };
}

describe('explainDamage', () => {
  it('labels the patch as an L2 entry change and reports the repair; nothing breaks without a mutant', async () => {
    const { clean, damage } = await pastEof([]);
    const e = (await explainDamage(clean, damage))!;
    expect(e.damage).toMatchObject({ kind: 'bit-flip', target: 'l2', byteCount: 1 });
    expect(e.damage.writes).toHaveLength(1);
    expect(e.damage.writes[0].changes.map((l) => l.text).join(' ')).toMatch(/L2 table at 0x[0-9a-f]+ entry 0 \(guest range 0x0-0xfff\)/);
    expect(e.damage.repairs).toEqual([{ how: 'crashcow check -r all', exitCode: 0, message: '' }]);
    expect(e.recoveries[0].writes.length).toBeGreaterThan(0);
    expect(e.violation).toBeNull();
  });

  it('with repair-trusts-past-eof: exit 2, P7-2 with an AL-4 witness tied to the damage\'s write', async () => {
    const { clean, damage } = await pastEof(['repair-trusts-past-eof']);
    const e = (await explainDamage(clean, damage))!;
    expect(e.damage.repairs[0].exitCode).toBe(2);
    expect(e.violation).toMatchObject({ property: 'P7', rules: ['AL-4', 'CHK-4', 'P7-2'] });
    const verdict: ExplainedVerdict = { reproduces: true, recorded: { property: 'P7', rules: [], summary: '' }, found: null };
    damageWitness(verdict, e);
    expect(verdict.witness?.rule).toBe('AL-4');
    expect(verdict.witness?.links.some((l) => l.write === 0)).toBe(true);
  });

  it('is null on an image that does not hold the recorded bytes', async () => {
    const { clean, damage } = await pastEof([]);
    expect(await explainDamage(clean, { ...damage, patches: [{ ...damage.patches[0], before: 'ab' === damage.patches[0].before ? 'cd' : 'ab' }] })).toBeNull();
  });
});
