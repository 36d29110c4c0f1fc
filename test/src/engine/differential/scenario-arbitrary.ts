/**
 * fast-check arbitraries for differential scenarios. fast-check draws image options and raw step
 * choices; `materialize` turns the choices into concrete qemu-io / qemu-img steps by simulating the
 * guest model, so every read checks a pattern the model expects and compressed writes only go where
 * QEMU's outcome is predictable.
 */
import fc from 'fast-check';
import { GuestModel } from './guest-model.js';
import type { BackingSpec, ImageSpec, Scenario, Step } from './scenario.js';

const KIB = 1024;
const SIZE_UNIT_BYTES = 64 * KIB;

interface RawStep {
  op: number;
  a: number;
  b: number;
  c: number;
  flag: boolean;
}

const rawStep: fc.Arbitrary<RawStep> = fc.record({ op: fc.nat(99), a: fc.nat(), b: fc.nat(), c: fc.nat(), flag: fc.boolean() });

const backingArb: fc.Arbitrary<BackingSpec> = fc
  .record({ format: fc.constantFrom('qcow2' as const, 'raw' as const), units: fc.integer({ min: 1, max: 40 }), fills: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }) })
  .map(({ format, units, fills }) => {
    const sizeBytes = units * SIZE_UNIT_BYTES;
    const cmds = fills.map(([a, b, p]) => {
      const off = a % sizeBytes;
      return `write -P ${p} ${off} ${1 + (b % Math.min(256 * KIB, sizeBytes - off))}`;
    });
    return { format, sizeBytes, fills: cmds };
  });

const imageArb: fc.Arbitrary<ImageSpec> = fc
  .record({
    clusterSizeBytes: fc.constantFrom(512, 4096, 16384, 65536),
    refcountBits: fc.constantFrom(1, 2, 4, 8, 16, 16, 32, 64),
    v2: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    lazyRefcounts: fc.boolean(),
    extendedL2: fc.boolean(),
    zstd: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    units: fc.integer({ min: 4, max: 40 }),
    backing: fc.option(backingArb, { freq: 2 }),
  })
  .map((r) => {
    const v3 = !r.v2;
    const spec: ImageSpec = {
      clusterSizeBytes: r.clusterSizeBytes,
      refcountBits: v3 ? r.refcountBits : 16,
      compat: v3 ? '1.1' : '0.10',
      lazyRefcounts: v3 && r.lazyRefcounts,
      extendedL2: v3 && r.extendedL2 && r.clusterSizeBytes >= 16384,
      compressionType: v3 && r.zstd ? 'zstd' : 'zlib',
      sizeBytes: r.units * SIZE_UNIT_BYTES,
    };
    if (r.backing) spec.backing = r.backing;
    return spec;
  });

/** Scenarios of up to `maxSteps` raw steps. */
export function scenarioArb(maxSteps = 24): fc.Arbitrary<Scenario> {
  return fc
    .record({ image: imageArb, writeback: fc.boolean(), steps: fc.array(rawStep, { minLength: 1, maxLength: maxSteps }) })
    .map(({ image, writeback, steps }) => materialize(image, writeback ? 'writeback' : 'writethrough', steps));
}

/** Guest content of a backing file made by its fill commands (all `write -P p off len`). */
function backingContent(b: BackingSpec): Uint8Array {
  const out = new Uint8Array(b.sizeBytes);
  for (const cmd of b.fills) {
    const [, , p, off, len] = cmd.split(' ').map(Number);
    out.fill(p, off, off + len);
  }
  return out;
}

/** Concrete steps for raw choices, simulated on the guest model. */
function materialize(image: ImageSpec, cacheMode: Scenario['cacheMode'], raw: RawStep[]): Scenario {
  const backingBytes = image.backing ? backingContent(image.backing) : undefined;
  const model = new GuestModel(image.sizeBytes, backingBytes, image.clusterSizeBytes, image.compat === '1.1');
  const steps: Step[] = [];
  const io = (cmd: string) => {
    const last = steps[steps.length - 1];
    if (last?.kind === 'io') last.commands.push(cmd);
    else steps.push({ kind: 'io', commands: [cmd] });
  };
  let nameCounter = 0;
  for (const r of raw) {
    const choice = pick(r.op);
    const step = stepFor(choice, r, model, image, () => `s${(nameCounter++ % 3) + 1}`);
    if (step === undefined) continue;
    if (typeof step === 'string') io(step);
    else steps.push(step);
  }
  return { image, cacheMode, steps, finalSnapshots: model.snapshots.map((s) => s.name) };
}

type Choice = 'write' | 'zero' | 'discard' | 'read' | 'compressed' | 'flush' | 'snapshot' | 'resize';

function pick(op: number): Choice {
  if (op < 30) return 'write';
  if (op < 40) return 'zero';
  if (op < 50) return 'discard';
  if (op < 70) return 'read';
  if (op < 78) return 'compressed';
  if (op < 82) return 'flush';
  if (op < 96) return 'snapshot';
  return 'resize';
}

function stepFor(choice: Choice, r: RawStep, model: GuestModel, image: ImageSpec, nextName: () => string): string | Step | undefined {
  const size = model.sizeBytes;
  const cs = image.clusterSizeBytes;
  const scs = image.extendedL2 ? cs / 32 : cs;
  const pattern = 1 + (r.c % 254);
  switch (choice) {
    case 'write': {
      let off = r.a % size;
      let len = 1 + (r.b % Math.min(3 * cs, size - off));
      if (r.flag) [off, len] = [off - (off % 512), Math.max(512, len - (len % 512))];
      len = Math.min(len, size - off);
      model.write(off, len, pattern);
      return `write -P ${pattern} ${off} ${len}`;
    }
    case 'zero': {
      if (r.c % 3 === 0) {
        const off = r.a % size;
        const len = 1 + (r.b % Math.min(3 * cs, size - off));
        model.writeZeroesUnaligned(off, len);
        return `write -z ${off} ${len}`;
      }
      const first = r.a % (size / scs);
      const count = 1 + (r.b % Math.min(3 * (cs / scs), size / scs - first));
      model.writeZeroes(first * scs, count * scs, r.flag, scs);
      return `write -z${r.flag ? ' -u' : ''} ${first * scs} ${count * scs}`;
    }
    case 'discard': {
      const off = r.a % size;
      const len = 1 + (r.b % Math.min(4 * cs, size - off));
      model.discard(off, len);
      return `discard ${off} ${len}`;
    }
    case 'read': {
      const off = r.a % size;
      const len = model.uniformRun(off, 1 + (r.b % (2 * cs)));
      return `read -P ${model.content[off]} ${off} ${len}`;
    }
    case 'compressed':
      return compressedStep(r, model, image, pattern);
    case 'flush':
      return 'flush';
    case 'snapshot':
      return snapshotStep(r, model, image, nextName);
    case 'resize':
      return resizeStep(r, model, image);
  }
}

function compressedStep(r: RawStep, model: GuestModel, image: ImageSpec, pattern: number): string | undefined {
  if (image.refcountBits < 8) return undefined; // packed streams could overflow small refcounts under snapshots
  const c = r.a % model.alloc.length;
  const ok = model.compressible(c);
  if (ok === undefined) return undefined;
  if (ok) model.writeCompressed(c, pattern, image.compressionType === 'zstd');
  return `write -c -P ${pattern} ${c * image.clusterSizeBytes} ${image.clusterSizeBytes}`;
}

function snapshotStep(r: RawStep, model: GuestModel, image: ImageSpec, nextName: () => string): Step | undefined {
  const live = model.snapshots.length;
  const max = image.refcountBits >= 8 ? 3 : 2 ** image.refcountBits - 3; // apply needs one more reference
  const sub = r.b % 4;
  if (sub === 0 || live === 0) {
    if (live >= max) return undefined;
    const name = nextName();
    model.snapshotCreate(name);
    return { kind: 'snapshot', flag: '-c', name };
  }
  const name = model.snapshots[r.c % live].name;
  if (sub < 3) {
    model.snapshotApply(name);
    return { kind: 'snapshot', flag: '-a', name };
  }
  model.snapshotDelete(name);
  return { kind: 'snapshot', flag: '-d', name };
}

function resizeStep(r: RawStep, model: GuestModel, image: ImageSpec): Step | undefined {
  if (model.snapshots.length > 0 || (image.compat === '0.10' && image.backing)) return undefined;
  const sizeBytes = SIZE_UNIT_BYTES * (1 + (r.a % 40));
  if (sizeBytes === model.sizeBytes) return undefined;
  const shrink = sizeBytes < model.sizeBytes;
  model.resize(sizeBytes);
  return { kind: 'resize', sizeBytes, shrink };
}

