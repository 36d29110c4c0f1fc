/**
 * mappingDamage: which guest clusters a damage reached. A flag that changes no mapping (COPIED)
 * reaches none; a changed L2 offset or zero flag reaches its cluster; a changed data byte reaches
 * the cluster reading it; a header mapping field reaches all; a refcount-table field none.
 */
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { isGuestClusterDamaged, mappingDamage, type ByteRange } from '../../../spec/semantics/mapping-damage.js';
import { BuiltinEngine } from '../../../src/engine/builtin/builtin-engine.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';

const CS = 4096;

/** A 1 MiB image with guest clusters 0 and 3 written; its bytes, and where its L2 entries and data are. */
async function image(): Promise<{ bytes: Uint8Array; l2EntryAt: (g: number) => number; dataAt: (g: number) => number }> {
  const engine = new BuiltinEngine();
  const device = new MemoryDevice();
  await engine.create({ device }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: CS });
  const img = await engine.open({ device });
  await img.write(0, new Uint8Array(CS).fill(1));
  await img.write(3 * CS, new Uint8Array(CS).fill(3));
  await img.close();
  const bytes = device.read(0, device.sizeBytes);
  const meta = readImageMeta(bytesSource(bytes));
  const view = new DataView(bytes.buffer);
  const l2 = Number(view.getBigUint64(Number(meta.header.l1TableOffset)) & 0x00fffffffffffe00n);
  return { bytes, l2EntryAt: (g) => l2 + g * 8, dataAt: (g) => Number(view.getBigUint64(l2 + g * 8) & 0x00fffffffffffe00n) };
}

function damaged(bytes: Uint8Array, edits: Array<[number, number]>): { after: Uint8Array; changed: ByteRange[] } {
  const after = bytes.slice();
  for (const [at, xor] of edits) after[at] ^= xor;
  return { after, changed: edits.map(([at]) => ({ offsetBytes: at, lengthBytes: 1 })) };
}

describe('mappingDamage', () => {
  it('a COPIED flag flipped reaches no cluster: what the guest reads does not change', async () => {
    const { bytes, l2EntryAt } = await image();
    const { after, changed } = damaged(bytes, [[l2EntryAt(0), 0x80]]);
    const d = mappingDamage(bytesSource(bytes), bytesSource(after), changed);
    expect(d.all).toBe(false);
    expect([...d.clusters]).toEqual([]);
  });

  it('an L2 offset bit reaches its cluster only; an unallocated entry turned into a zero cluster reaches its own', async () => {
    const { bytes, l2EntryAt } = await image();
    const { after, changed } = damaged(bytes, [[l2EntryAt(3) + 5, 0x10], [l2EntryAt(7) + 7, 0x01]]);
    const d = mappingDamage(bytesSource(bytes), bytesSource(after), changed);
    expect([...d.clusters].sort((a, b) => a - b)).toEqual([3, 7]);
    expect(isGuestClusterDamaged(d, 3)).toBe(true);
    expect(isGuestClusterDamaged(d, 0)).toBe(false);
  });

  it('a data byte reaches the guest cluster reading it', async () => {
    const { bytes, dataAt } = await image();
    const { after, changed } = damaged(bytes, [[dataAt(3) + 100, 0xff]]);
    expect([...mappingDamage(bytesSource(bytes), bytesSource(after), changed).clusters]).toEqual([3]);
  });

  it('a header mapping field (l1_table_offset) reaches every cluster; the refcount table offset none', async () => {
    const { bytes } = await image();
    const l1 = damaged(bytes, [[45, 0x10]]);
    expect(mappingDamage(bytesSource(bytes), bytesSource(l1.after), l1.changed)).toMatchObject({ all: true });
    const rt = damaged(bytes, [[53, 0x10]]);
    const d = mappingDamage(bytesSource(bytes), bytesSource(rt.after), rt.changed);
    expect(d.all).toBe(false);
    expect(d.clusters.size).toBe(0);
  });

  it('a cut file reaches the clusters whose data lay in the cut tail', async () => {
    const { bytes, dataAt } = await image();
    const cut = dataAt(3);
    const after = bytes.slice(0, cut);
    const d = mappingDamage(bytesSource(bytes), bytesSource(after), [{ offsetBytes: cut, lengthBytes: bytes.length - cut }]);
    expect(d.clusters.has(3)).toBe(true);
    expect(d.clusters.has(0)).toBe(dataAt(0) >= cut);
  });
});
