import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestView } from '../../../spec/semantics/guest-view.js';
import { imageLayerOf, snapshotEntriesOf, snapshotLayerOf, type BackingDevice } from '../../../src/fuzz/spec-view.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { toByteSource } from '../../../src/storage/to-byte-source.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-spec-view-');
afterAll(() => tmp.cleanup());

const MIB = 1 << 20;
const device = (name: string): MemoryDevice => MemoryDevice.from(new Uint8Array(readFileSync(tmp.path(name))));

/** What qemu-img convert reads from `name` (with `extra` options), as bytes. */
async function converted(name: string, out: string, extra: string[] = []): Promise<Uint8Array> {
  await qemuImgOk(['convert', ...extra, '-O', 'raw', tmp.path(name), tmp.path(out)]);
  return new Uint8Array(readFileSync(tmp.path(out)));
}

beforeAll(async () => {
  await qemuImgOk(['create', '-q', '-f', 'raw', tmp.path('base.raw'), '2M']);
  await qemuIo(tmp.path('base.raw'), ['write -P 0x11 0 2M'], { format: 'raw' });
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', tmp.path('base.qcow2'), '2M']);
  await qemuIo(tmp.path('base.qcow2'), ['write -P 0x22 64k 1M']);
  for (const [name, base, format] of [['on-raw.qcow2', 'base.raw', 'raw'], ['on-qcow2.qcow2', 'base.qcow2', 'qcow2']]) {
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', '-b', base, '-F', format, tmp.path(name), '2M']);
    await qemuIo(tmp.path(name), ['write -P 0x33 4k 8k', 'write -z 512k 4k']);
  }
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', tmp.path('snap.qcow2'), '1M']);
  await qemuIo(tmp.path('snap.qcow2'), ['write -P 0x44 0 64k']);
  await qemuImgOk(['snapshot', '-c', 's1', tmp.path('snap.qcow2')]);
  await qemuImgOk(['resize', '-q', tmp.path('snap.qcow2'), '2M']);
  await qemuIo(tmp.path('snap.qcow2'), ['write -P 0x55 8k 4k']);
});

describe('spec view of an image on a device', () => {
  it.each([
    ['on-raw.qcow2', 'base.raw', 'raw'],
    ['on-qcow2.qcow2', 'base.qcow2', 'qcow2'],
  ] as const)('%s reads through its %s backing device what qemu-img convert reads', async (name, base, format) => {
    // Arrange
    const expected = await converted(name, `${name}.raw`);
    const backing: BackingDevice = { device: device(base), format };
    // Act
    const layer = imageLayerOf(device(name), backing);
    const actual = new GuestView(layer).read(0, layer.virtualSizeBytes);
    // Assert
    expect(layer.virtualSizeBytes).toBe(2 * MIB);
    expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
  });

  it('reads a backing image\'s unallocated ranges as zeros when it has no backing device', async () => {
    const layer = imageLayerOf(toByteSource(device('on-raw.qcow2')));
    const view = new GuestView(layer);
    expect([...view.read(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...view.read(4096, 2)]).toEqual([0x33, 0x33]);
  });

  it('reads an internal snapshot with its own size and data', async () => {
    const expected = await converted('snap.qcow2', 's1.raw', ['-l', 'snapshot.name=s1']);
    const source = toByteSource(device('snap.qcow2'));
    const entries = snapshotEntriesOf(source);
    const layer = snapshotLayerOf(source, entries[0], undefined);
    expect(entries.map((e) => e.name)).toEqual(['s1']);
    expect(layer.virtualSizeBytes).toBe(MIB);
    // qemu-img 7.2 convert sizes a snapshot's output by the active disk (2 MiB): compare the snapshot's 1 MiB.
    expect(Buffer.from(new GuestView(layer).read(0, MIB)).equals(Buffer.from(expected.subarray(0, MIB)))).toBe(true);
    expect([...new GuestView(layer).read(8192, 2)]).toEqual([0x44, 0x44]);
  });

  it('lists no snapshots for an image without them', () => {
    expect(snapshotEntriesOf(toByteSource(device('base.qcow2')))).toEqual([]);
  });
});
