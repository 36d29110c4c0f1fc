/** Bit flips and zeroed sectors: one bit, or one sector, of the structure aimed at, recorded byte-exact. */
import { afterAll, describe, expect, it } from 'vitest';
import { applyDamage, fromHex } from '../../../../src/fuzz/damage/damage.js';
import { damageTargets } from '../../../../src/fuzz/damage/damage-targets.js';
import { bitFlip, zeroedSector } from '../../../../src/fuzz/damage/structure-damage.js';
import type { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { Prng } from '../../../../src/storage/prng.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';
import { cleanImageAfter } from './damage-fixture.js';

let run: FuzzRun;
afterAll(() => run?.dispose());

const bitsSet = (x: number): number => x.toString(2).split('').filter((b) => b === '1').length;

describe('structure damage', () => {
  it('a bit flip changes exactly one bit, inside its target, mostly in an entry in use', async () => {
    const r = await cleanImageAfter();
    run = r.run;
    const source = toByteSource(r.clean.image);
    const l2 = damageTargets(source).find((t) => t.role === 'l2')!;
    let inUse = 0;
    for (let seed = 0; seed < 40; seed++) {
      const d = bitFlip(source, l2, new Prng(seed))!;
      expect(d).toMatchObject({ kind: 'bit-flip', target: 'l2' });
      expect(d.patches).toHaveLength(1);
      const p = d.patches[0];
      expect(p.offsetBytes).toBeGreaterThanOrEqual(l2.offsetBytes);
      expect(p.offsetBytes).toBeLessThan(l2.offsetBytes + l2.lengthBytes);
      expect(bitsSet(fromHex(p.before)[0] ^ fromHex(p.after)[0])).toBe(1);
      const entry = Math.floor((p.offsetBytes - l2.offsetBytes) / 8);
      if (source.read(l2.offsetBytes + entry * 8, 8).some((b) => b !== 0)) inUse++;
      expect(applyDamage(r.clean.image, d)).not.toBeNull();
    }
    expect(inUse).toBeGreaterThan(25);
  });

  it('names the header field it flips', async () => {
    const source = toByteSource((await cleanImageAfter()).clean.image);
    const header = damageTargets(source).find((t) => t.role === 'header')!;
    const names = new Set<string>();
    for (let seed = 0; seed < 60; seed++) names.add(/\(([a-z0-9_ ]+)\)/.exec(bitFlip(source, header, new Prng(seed))!.where)![1]);
    expect(names.has('magic') || names.has('version') || names.has('l1_table_offset')).toBe(true);
  });

  it('a zeroed sector zeros the 512 aligned bytes around an entry, and nothing when they are zero already', async () => {
    const source = toByteSource((await cleanImageAfter()).clean.image);
    const rt = damageTargets(source).find((t) => t.role === 'refcount-table')!;
    const d = zeroedSector(source, rt, new Prng(3))!;
    expect(d.kind).toBe('zeroed-sector');
    for (const p of d.patches) {
      expect(Math.floor(p.offsetBytes / 512)).toBe(Math.floor(rt.offsetBytes / 512));
      expect(fromHex(p.after).every((b) => b === 0)).toBe(true);
    }
    const empty = { ...rt, offsetBytes: rt.offsetBytes + 2048, lengthBytes: 512 };
    expect(zeroedSector(source, empty, new Prng(3))).toBeNull();
  });
});
