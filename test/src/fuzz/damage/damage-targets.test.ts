/** damageTargets: every metadata structure of a consistent image, with its exact extent, found through spec/. */
import { afterAll, describe, expect, it } from 'vitest';
import { readImageMeta } from '../../../../spec/format/image-meta.js';
import { damageTargets } from '../../../../src/fuzz/damage/damage-targets.js';
import type { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';
import { cleanImageAfter, workload } from './damage-fixture.js';

const runs: FuzzRun[] = [];
afterAll(async () => {
  for (const r of runs) await r.dispose();
});

describe('damageTargets', () => {
  it('lists the header, the active and the snapshot L1 table, L2 tables, the refcount table and blocks, and the snapshot table', async () => {
    const { run, clean } = await cleanImageAfter(workload(true));
    runs.push(run);
    const source = toByteSource(clean.image);
    const h = readImageMeta(source).header;
    const targets = damageTargets(source);
    const roles = new Set(targets.map((t) => t.role));
    expect([...roles].sort()).toEqual(['header', 'l1', 'l2', 'refcount-block', 'refcount-table', 'snapshot-table']);
    expect(targets.find((t) => t.role === 'header')).toMatchObject({ offsetBytes: 0, lengthBytes: h.headerLengthBytes, entrySizeBytes: 1 });
    expect(targets.find((t) => t.role === 'l1' && t.offsetBytes === Number(h.l1TableOffset))).toMatchObject({ lengthBytes: h.l1EntryCount * 8, entrySizeBytes: 8 });
    expect(targets.filter((t) => t.role === 'l1').length).toBe(2);
    expect(targets.find((t) => t.role === 'refcount-table')).toMatchObject({ offsetBytes: Number(h.refcountTableOffset), lengthBytes: h.refcountTableClusters * 4096 });
    expect(targets.find((t) => t.role === 'snapshot-table')?.offsetBytes).toBe(Number(h.snapshotsOffset));
    for (const t of targets) expect(t.offsetBytes + t.lengthBytes, t.label).toBeLessThanOrEqual(clean.image.sizeBytes);
  });

  it('lists no snapshot table on an image without snapshots', async () => {
    const { run, clean } = await cleanImageAfter(workload(false));
    runs.push(run);
    expect(damageTargets(toByteSource(clean.image)).some((t) => t.role === 'snapshot-table')).toBe(false);
  });
});
