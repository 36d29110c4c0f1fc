/**
 * On damaged images made from real qemu-img images, `crashcow check -r all`
 * leaves an image that both qemu-img check and crashcow check find clean (exit 0), and every guest
 * cluster the damage did not destroy reads exactly what `qemu-img convert -O raw` read from the
 * original. The same damage repaired by `qemu-img check -r all` (on a copy) is checked too: where
 * qemu-img's repair leaves errors, the case says so (qemuAfter != 0) and crashcow still ends clean.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuCheck, qemuImg, qemuImgOk, tempDir } from '../../helpers/qemu.js';
import { schemaErrors } from '../check/compare-with-qemu.js';
import { Layout } from '../check/damage.js';
import { baseCopy } from './repair-bases.js';
import { mappingCases, refcountCases, type RepairCase } from './repair-cases.js';
import { tableCases } from './repair-cases-tables.js';

const tmp = tempDir('crashcow-repair-');
afterAll(() => tmp.cleanup());

const cases: RepairCase[] = [...refcountCases, ...mappingCases, ...tableCases];

const raws = new Map<string, Promise<Uint8Array>>();

/** What qemu-img convert -O raw reads from a base image (once per base). */
function rawOf(basePath: string): Promise<Uint8Array> {
  let raw = raws.get(basePath);
  if (raw === undefined) {
    const out = `${basePath}.raw`;
    raws.set(basePath, (raw = qemuImgOk(['convert', '-O', 'raw', basePath, out]).then(() => new Uint8Array(readFileSync(out)))));
  }
  return raw;
}

/** Indexes of the clusters where two raw images differ. */
function differingClusters(a: Uint8Array, b: Uint8Array, clusterSizeBytes: number): number[] {
  const out: number[] = [];
  for (let k = 0; k * clusterSizeBytes < Math.max(a.length, b.length); k++) {
    const x = a.subarray(k * clusterSizeBytes, (k + 1) * clusterSizeBytes);
    const y = b.subarray(k * clusterSizeBytes, (k + 1) * clusterSizeBytes);
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) out.push(k);
  }
  return out;
}

describe.concurrent('crashcow check -r all on damaged images ends clean and keeps the undamaged guest data', () => {
  it.each(cases.map((c, i) => [`${c.name}${c.qemuAfter !== 0 ? ' (qemu-img -r all leaves errors)' : ''}`, c, i] as const))('%s', async (_name, c, i) => {
    const p = tmp.path(`r${i}.qcow2`);
    const copy = tmp.path(`r${i}.qemu.qcow2`);
    const base = await baseCopy(c.base, tmp.path, p);
    const layout = new Layout(p);
    const origRaw = await rawOf(base);
    const lost = c.lost?.(layout) ?? [];
    await c.damage(p, layout);
    copyFileSync(p, copy);

    const run = await crashcow(['check', '-r', 'all', '--output', 'json', p]);
    const report = JSON.parse(run.stdout);
    const why = `${run.stderr}${JSON.stringify(report.repairs, null, 1)}\n${JSON.stringify(report.findings, null, 1)}`;
    expect(run.exitCode, why).toBe(0);
    expect(schemaErrors(report), 'the -r report matches check.schema.json').toBe('');
    expect(report.repairs.length, 'every change is listed').toBeGreaterThan(0);
    const theirs = await qemuCheck(p);
    expect(theirs.exitCode, `qemu-img check after crashcow's repair:\n${theirs.stderr}\n${why}`).toBe(0);

    await qemuImgOk(['convert', '-O', 'raw', p, tmp.path(`r${i}.raw`)]);
    const differ = differingClusters(origRaw, readFileSync(tmp.path(`r${i}.raw`)), layout.clusterSizeBytes);
    if (lost !== 'all') expect(differ.filter((k) => !lost.includes(k)), `guest clusters changed beyond the damage\n${why}`).toEqual([]);

    await qemuImg(['check', '-r', 'all', copy]);
    const qemuAfter = await qemuCheck(copy);
    expect(qemuAfter.exitCode, `qemu-img check after qemu-img check -r all:\n${qemuAfter.stderr}`).toBe(c.qemuAfter);
  });
});
