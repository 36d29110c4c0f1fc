import { describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import type { EngineImage } from '../../../../src/engine/engine.js';
import { writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { DurabilityOracle, type DurabilityExpectation } from '../../../../src/fuzz/model/durability-oracle.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import { GuestModel } from '../../../../src/fuzz/model/guest-model.js';
import { mapDataSectors } from '../../../../src/fuzz/oracle/data-sector-map.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';

const SEED = 11;
const SECTOR = 512;
const CLUSTER = 4096;
const DISK = 256 * 1024;

/** A built-in engine image (4 KiB clusters, 256 KiB) after `ops`, with the expectation after them. */
async function imageAfter(ops: FuzzOp[], compressedWriteIds: readonly number[] = []): Promise<{ device: MemoryDevice; exp: DurabilityExpectation }> {
  const engine = new BuiltinEngine();
  const device = new MemoryDevice();
  await engine.create({ device }, { virtualSizeBytes: DISK, clusterSizeBytes: CLUSTER });
  const rec = new RecordingDevice(device);
  const image = await engine.open({ device: rec });
  const model = new GuestModel({ virtualSizeBytes: DISK, clusterSizeBytes: CLUSTER, backingSizeBytes: 0 });
  const oracle = new DurabilityOracle(model);
  for (const op of ops) {
    const start = rec.ops.length;
    await apply(image, op, compressedWriteIds);
    oracle.record(op, model.apply(op), start, rec.ops.length);
  }
  await image.close();
  return { device, exp: oracle.expectAt(rec.ops.length) };
}

async function apply(image: EngineImage, op: FuzzOp, compressedWriteIds: readonly number[]): Promise<void> {
  if (op.kind === 'write') return image.write(op.offsetBytes, writeContent(SEED, op.writeId, op.offsetBytes, op.lengthBytes), { compressed: compressedWriteIds.includes(op.writeId) });
  if (op.kind === 'write-zeroes') return image.writeZeroes(op.offsetBytes, op.lengthBytes, { unmap: op.unmap });
  if (op.kind === 'flush') return image.flush();
  if (op.kind === 'snapshot-create') await image.snapshotCreate(op.name);
}

/** The host sector holding the content of write `writeId` for guest sector `guestSector`. */
function hostSectorOf(device: MemoryDevice, writeId: number, guestSector: number): number {
  const file = device.read(0, device.sizeBytes);
  const wanted = writeContent(SEED, writeId, guestSector * SECTOR, SECTOR);
  for (let h = 0; h * SECTOR < file.length; h++) if (file.subarray(h * SECTOR, (h + 1) * SECTOR).every((b, i) => b === wanted[i])) return h;
  throw new Error(`write ${writeId} of guest sector ${guestSector} is not in the file`);
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

describe('mapDataSectors', () => {
  it('maps each guest sector that reads a watched host sector, with its candidates', async () => {
    // Arrange: one cluster written at guest 8 KiB
    const { device, exp } = await imageAfter([{ kind: 'write', offsetBytes: 2 * CLUSTER, lengthBytes: CLUSTER, writeId: 1 }, { kind: 'flush' }]);
    const hosts = range(16, 8).map((g) => hostSectorOf(device, 1, g));
    // Act
    const mapped = mapDataSectors(toByteSource(device), undefined, exp, new Set([hosts[1], hosts[5]]));
    // Assert
    expect(mapped).toEqual([
      { view: 'active', guestSector: 17, hostSector: hosts[1], candidates: exp.candidates(17) },
      { view: 'active', guestSector: 21, hostSector: hosts[5], candidates: exp.candidates(21) },
    ]);
    expect(exp.candidates(17).length).toBeGreaterThan(0);
  });

  it('maps nothing for watched sectors that hold metadata, or unwatched data', async () => {
    const { device, exp } = await imageAfter([{ kind: 'write', offsetBytes: 0, lengthBytes: CLUSTER, writeId: 1 }, { kind: 'flush' }]);
    expect(mapDataSectors(toByteSource(device), undefined, exp, new Set(range(0, 8)))).toEqual([]);
    expect(mapDataSectors(toByteSource(device), undefined, exp, new Set())).toEqual([]);
  });

  it('passes over zero clusters', async () => {
    const { device, exp } = await imageAfter([
      { kind: 'write', offsetBytes: 0, lengthBytes: CLUSTER, writeId: 1 },
      { kind: 'write-zeroes', offsetBytes: 0, lengthBytes: CLUSTER, unmap: false },
      { kind: 'flush' },
    ]);
    const host = hostSectorOf(device, 1, 0);
    expect(mapDataSectors(toByteSource(device), undefined, exp, new Set(range(host, 8)))).toEqual([]);
  });

  it('maps the sectors of a snapshot under its own view, with the snapshot\'s values', async () => {
    // Arrange: write 1, snapshot s1, write 2 over the same cluster (copied on write)
    const { device, exp } = await imageAfter([
      { kind: 'write', offsetBytes: 0, lengthBytes: CLUSTER, writeId: 1 },
      { kind: 'snapshot-create', name: 's1' },
      { kind: 'write', offsetBytes: 0, lengthBytes: CLUSTER, writeId: 2 },
      { kind: 'flush' },
    ]);
    const old = hostSectorOf(device, 1, 3);
    const now = hostSectorOf(device, 2, 3);
    // Act
    const mapped = mapDataSectors(toByteSource(device), undefined, exp, new Set([old, now]));
    // Assert
    const snap = exp.requiredSnapshots.get('s1')!;
    expect(mapped).toEqual([
      { view: 'active', guestSector: 3, hostSector: now, candidates: exp.candidates(3) },
      { view: 'snapshot s1', guestSector: 3, hostSector: old, candidates: snap.values.get(3) },
    ]);
    expect(snap.values.get(3)).not.toEqual(exp.candidates(3));
  });

  it('gives null when a view reads compressed data, whose bytes lie at no one host sector', async () => {
    const { device, exp } = await imageAfter([{ kind: 'write', offsetBytes: CLUSTER, lengthBytes: CLUSTER, writeId: 1 }, { kind: 'flush' }], [1]);
    expect(mapDataSectors(toByteSource(device), undefined, exp, new Set([0]))).toBeNull();
  });
});
