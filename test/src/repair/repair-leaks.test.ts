/**
 * `crashcow check -r leaks` (REP-1) frees leaked clusters (refcount above references) and
 * refuses, with a clear check error and exit code 1 like qemu-img, what needs more: a referenced
 * cluster with refcount 0. It never touches corruptions it may not fix (they remain, exit 2).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuCheck, qemuImg, qemuIo, tempDir } from '../../helpers/qemu.js';
import { Layout, readU64, writeU64 } from '../check/damage.js';
import { baseCopy, plain, snapshots } from './repair-bases.js';

const tmp = tempDir('crashcow-repair-leaks-');
afterAll(() => tmp.cleanup());

async function damaged(name: string, base = plain(), damage: (p: string, l: Layout) => void | Promise<void>): Promise<{ p: string; copy: string }> {
  const p = tmp.path(`${name}.qcow2`);
  await baseCopy(base, tmp.path, p);
  await damage(p, new Layout(p));
  const copy = tmp.path(`${name}.qemu.qcow2`);
  copyFileSync(p, copy);
  return { p, copy };
}

async function leaksRepair(p: string) {
  const run = await crashcow(['check', '-r', 'leaks', '--output', 'json', p]);
  return { ...run, report: JSON.parse(run.stdout) };
}

describe.concurrent('crashcow check -r leaks frees leaked clusters and refuses what needs a rebuild', () => {
  it('frees a leaked cluster and a refcount above its references; qemu-img agrees the result is clean', async () => {
    const { p } = await damaged('leak', plain(), async (path, l) => {
      l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 2)), 3);
      const free = l.clusterOf(l.dataOffset(0, 1));
      await qemuIo(path, ['discard 64k 64k']);
      l.setStoredRefcount(free, 1);
    });
    const { exitCode, report } = await leaksRepair(p);
    expect(exitCode, JSON.stringify(report.findings)).toBe(0);
    expect(report['leaks-fixed']).toBe(2);
    const lowered = report.repairs.filter((r: { action: string }) => r.action === 'refcount-lowered');
    expect(lowered.reduce((n: number, r: { count: number }) => n + r.count, 0), 'both clusters are listed').toBe(2);
    expect(report.repairs.length).toBe(lowered.length);
    expect((await qemuCheck(p)).exitCode).toBe(0);
  });

  it('refuses a referenced cluster with refcount 0 ("use -r all"), exit 1 like qemu-img, and changes no byte', async () => {
    const { p, copy } = await damaged('zero', plain(), (_p, l) => l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 2)), 0));
    const before = readFileSync(p);
    const { exitCode, report, stdout } = await leaksRepair(p);
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(/need a refcount rebuild: use -r all/);
    expect(report['check-errors']).toBeGreaterThan(0);
    expect(readFileSync(p).equals(before), 'a refused repair writes nothing').toBe(true);
    expect((await qemuImg(['check', '-r', 'leaks', copy])).exitCode, 'qemu-img -r leaks refuses it too').toBe(1);
  });

  it('leaves a refcount that is too low (not zero) alone: it stays a corruption (exit 2), as with qemu-img', async () => {
    const { p, copy } = await damaged('low', snapshots, (_p, l) => l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 2)), 1));
    const { exitCode, report } = await leaksRepair(p);
    expect(exitCode).toBe(2);
    expect(report.corruptions).toBeGreaterThan(0);
    expect((await qemuImg(['check', '-r', 'leaks', copy])).exitCode).toBe(2);
  });

  it('fixes the COPIED flag a leak left wrong once nothing else is damaged, as qemu-img does', async () => {
    const COPIED = 1n << 63n;
    const { p } = await damaged('copied', plain(), (path, l) => {
      l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 1)), 2);
      writeU64(path, l.l2EntryOffset(0, 1), readU64(path, l.l2EntryOffset(0, 1)) & ~COPIED);
    });
    const { exitCode, report } = await leaksRepair(p);
    expect(exitCode, JSON.stringify(report.findings)).toBe(0);
    expect(report.repairs.map((r: { action: string }) => r.action).sort()).toEqual(['copied-flag-fixed', 'refcount-lowered']);
    expect((await qemuCheck(p)).exitCode).toBe(0);
  });
});
