/**
 * Repair property (RC-6, AL-2, AL-4, L1-2, L2-2, L2-3, SN-1..SN-4, FEAT-1/2): random
 * damage to small qemu-img images, then `-r all`, always ends with an image that crashcow check and
 * qemu-img check both find clean, and every guest cluster the damage did not hit reads as before.
 * Seeded; CRASHCOW_PROPERTY_RUNS raises the number of runs, CRASHCOW_PROPERTY_SEED replays one.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImage } from '../src/check/check-image.js';
import { repairImage } from '../src/repair/repair-image.js';
import { MemoryDevice } from '../src/storage/memory-device.js';
import { qemuCheck, qemuImgOk, qemuIo, tempDir } from '../test/helpers/qemu.js';
import { applyDamages, damagesArb, layoutOf, type SmallLayout } from '../test/src/repair/damage-arbitraries.js';
import { checkDevice, guestBytes } from '../test/src/repair/device-image.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 15);
const SEED = Number(process.env.CRASHCOW_PROPERTY_SEED ?? 0x5eed4);

const tmp = tempDir('crashcow-repair-prop-');
afterAll(() => tmp.cleanup());

interface Base {
  bytes: Uint8Array;
  layout: SmallLayout;
  guest: Uint8Array;
}
const bases = new Map<string, Base>();

async function makeBase(name: string, opts: string, snapshot: boolean): Promise<void> {
  const p = tmp.path(`${name}.qcow2`);
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', opts, p, '4M']);
  await qemuIo(p, ['write -P 1 0 192k', 'write -P 2 1M 64k', 'write -P 3 3M 32k']);
  if (snapshot) {
    await qemuImgOk(['snapshot', '-c', 's1', p]);
    await qemuIo(p, ['write -P 4 64k 64k']);
  }
  const bytes = new Uint8Array(readFileSync(p));
  bases.set(name, { bytes, layout: layoutOf(bytes), guest: guestBytes(MemoryDevice.from(bytes)) });
}

beforeAll(async () => {
  await makeBase('plain', 'cluster_size=65536', false);
  await makeBase('snapshot', 'cluster_size=4096', true);
});

/** Guest clusters of `a` and `b` that differ, leaving out `lost`. */
function changedClusters(a: Uint8Array, b: Uint8Array, clusterSizeBytes: number, lost: Set<number>): number[] {
  const out: number[] = [];
  for (let k = 0; k * clusterSizeBytes < a.length; k++) {
    if (lost.has(k)) continue;
    for (let i = k * clusterSizeBytes; i < Math.min(a.length, (k + 1) * clusterSizeBytes); i++) {
      if (a[i] !== b[i]) {
        out.push(k);
        break;
      }
    }
  }
  return out;
}

describe.each(['plain', 'snapshot'])('random damage to a %s image, then -r all', (name) => {
  it('ends clean for crashcow and qemu-img, undamaged guest clusters intact', async () => {
    const base = bases.get(name)!;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(damagesArb(base.layout), async (damages) => {
        const { damaged, lost } = applyDamages(base.bytes, base.layout, damages);
        const device = MemoryDevice.from(damaged);
        const result = repairImage(device, 'all', checkImage);
        expect(result.strategy).not.toBe('refused');
        const { exitCode, report } = checkDevice(device);
        expect(exitCode, report.findings.map((f) => `${f.rule} ${f.where}: ${f.detail}`).join('\n')).toBe(0);
        if (lost !== 'all') expect(changedClusters(base.guest, guestBytes(device), base.layout.clusterSizeBytes, lost)).toEqual([]);
        const path = tmp.path(`${name}-${run++}.qcow2`);
        writeFileSync(path, device.read(0, device.sizeBytes));
        const theirs = await qemuCheck(path);
        expect(theirs.exitCode, theirs.stderr).toBe(0);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
