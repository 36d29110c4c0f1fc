/**
 * newReferencesOf (P6-4): a cluster the image references now and did not at the segment's start
 * must have been written by a recorded request; a write the recording does not hold (a failed
 * one) leaves its cluster unwritten.
 */
import { describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import { newReferencesOf } from '../../../../src/fuzz/nemesis/new-references.js';
import { CowDevice } from '../../../../src/storage/cow-device.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';

const CS = 4096;

async function recordedWrite(): Promise<{ base: MemoryDevice; now: RecordingDevice }> {
  const engine = new BuiltinEngine();
  const base = new MemoryDevice();
  await engine.create({ device: base }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: CS });
  const now = new RecordingDevice(new CowDevice(base));
  const image = await engine.open({ device: now }, { cacheMode: 'writeback' });
  await image.write(8 * CS, new Uint8Array(CS).fill(9));
  await image.close();
  return { base, now };
}

describe('newReferencesOf', () => {
  it('holds when every newly referenced cluster was written', async () => {
    const { base, now } = await recordedWrite();
    expect(newReferencesOf(toByteSource(base), toByteSource(now), now.ops)).toEqual({ status: 'holds' });
  });

  it('names the newly referenced cluster no recorded write reached', async () => {
    const { base, now } = await recordedWrite();
    const data = now.ops.find((op) => op.kind === 'write' && op.data!.every((b) => b === 9))!;
    const v = newReferencesOf(toByteSource(base), toByteSource(now), now.ops.filter((op) => op !== data));
    expect(v).toMatchObject({ status: 'violated', clause: 'P6-4', witness: { clusterIndex: data.offsetBytes / CS } });
  });
});
