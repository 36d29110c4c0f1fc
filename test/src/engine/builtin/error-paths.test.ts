/**
 * The built-in engine's error paths (P6, QCOW2-FACTS §3 iotest 026's idea): the n-th write or
 * flush of an operation fails (FaultyDevice), for every n the operation reaches; the operation
 * reports it, a later write and flush still land, and the image the close leaves has no
 * corruption (leaks allowed). The mutant link-after-failed-write breaks exactly that.
 */
import { describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import type { Qcow2Image } from '../../../../src/engine/builtin/qcow2-image.js';
import type { BuiltinImage } from '../../../../src/engine/builtin/builtin-image.js';
import type { CacheMode } from '../../../../src/engine/engine.js';
import type { MutantName } from '../../../../src/engine/mutants.js';
import { checkImage } from '../../../../src/check/check-image.js';
import { FaultyDevice } from '../../../../src/storage/faulty-device.js';
import { isInjectedFault } from '../../../../src/storage/injected-fault.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';

const engine = new BuiltinEngine();
const CS = 512;

/** Operations that fail part-way (setup runs before the fault is armed). */
const scenarios: Array<{ name: string; setup?: (i: Qcow2Image) => void; act: (i: Qcow2Image) => void }> = [
  { name: 'an unaligned write-zeroes over two new clusters and a new L2 table', act: (i) => i.writeZeroes(1, CS) },
  { name: 'a write allocating a cluster', act: (i) => i.write(64 * CS, new Uint8Array(CS).fill(3)) },
  { name: 'a write across clusters over allocated data (copy-on-write after a snapshot)', setup: (i) => (i.write(0, new Uint8Array(4 * CS).fill(1)), i.snapshotCreate('s')), act: (i) => i.write(CS / 2, new Uint8Array(2 * CS).fill(3)) },
  { name: 'a discard then a flush', setup: (i) => i.write(0, new Uint8Array(4 * CS).fill(1)), act: (i) => (i.discard(0, 2 * CS), i.flush()) },
  { name: 'a bulk write that grows the refcount structures', act: (i) => i.write(0, new Uint8Array(600 * CS).fill(4)) },
];

interface Outcome {
  /** The act failed with the injected fault (false: it issued fewer than n requests). */
  failed: boolean;
  /** What guest bytes [0, 2 CS) read after a later write, a flush, a close and a reopen. */
  later: number[];
  corruptions: number;
  checkErrors: number;
}

async function failAt(n: number, s: (typeof scenarios)[number], cacheMode: CacheMode, mutants: MutantName[] = []): Promise<Outcome> {
  const mem = new MemoryDevice();
  await engine.create({ device: mem }, { virtualSizeBytes: 4 << 20, clusterSizeBytes: CS, refcountBits: 16 });
  const faulty = new FaultyDevice(mem);
  const image = ((await engine.open({ device: faulty }, { cacheMode, mutants })) as BuiltinImage).sync;
  s.setup?.(image);
  faulty.arm([{ on: 'request', nth: n, errno: 'EIO' }]);
  let failed = false;
  try {
    s.act(image);
  } catch (err) {
    if (!isInjectedFault(err)) throw err;
    failed = true;
  }
  faulty.disarm();
  image.write(0, new Uint8Array(2 * CS).fill(0x77));
  image.flush();
  image.close();
  const again = ((await engine.open({ device: mem })) as BuiltinImage).sync;
  const later = [...again.read(0, 2 * CS)];
  again.close();
  const r = checkImage(toByteSource(mem));
  return { failed, later, corruptions: r.corruptions, checkErrors: r['check-errors'] };
}

describe('built-in engine error paths: the n-th request of an operation fails', () => {
  for (const s of scenarios) {
    for (const cacheMode of ['writeback', 'writethrough'] as const) {
      it(`${s.name} (${cacheMode}): reported, and a later write survives on an image without corruption`, async () => {
        let n = 1;
        for (; n < 400; n++) {
          const o = await failAt(n, s, cacheMode);
          if (!o.failed) break;
          expect(o.later.every((b) => b === 0x77), `request ${n}: a later write reads back`).toBe(true);
          expect({ n, corruptions: o.corruptions, checkErrors: o.checkErrors }).toEqual({ n, corruptions: 0, checkErrors: 0 });
        }
        expect(n).toBeGreaterThan(1);
      });
    }
  }

  it('link-after-failed-write: a copy-on-write whose data write failed reads neither old nor new data', async () => {
    const wrong: string[] = [];
    for (const mutants of [[], ['link-after-failed-write']] as MutantName[][]) {
      for (let n = 1; n <= 8; n++) if (await copyOnWriteFailsAt(n, mutants)) wrong.push(`${mutants.join('') || 'none'} ${n}`);
    }
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.every((w) => w.startsWith('link-after-failed-write'))).toBe(true);
  });
});

/** True when guest cluster 0 reads neither its old nor its new byte after a copy-on-write whose n-th request failed. */
async function copyOnWriteFailsAt(n: number, mutants: MutantName[]): Promise<boolean> {
  const mem = new MemoryDevice();
  await engine.create({ device: mem }, { virtualSizeBytes: 4 << 20, clusterSizeBytes: CS });
  const faulty = new FaultyDevice(mem);
  const image = ((await engine.open({ device: faulty }, { cacheMode: 'writeback', mutants })) as BuiltinImage).sync;
  image.write(0, new Uint8Array(CS).fill(0x11));
  image.snapshotCreate('s');
  image.flush();
  faulty.arm([{ on: 'request', nth: n, errno: 'EIO' }]);
  try {
    image.write(0, new Uint8Array(CS).fill(0x22));
  } catch (err) {
    if (!isInjectedFault(err)) throw err;
  }
  faulty.disarm();
  image.flush();
  const first = image.read(0, 1)[0];
  image.close();
  return first !== 0x11 && first !== 0x22;
}
