/**
 * Resizing and crashes (GD-1): a shrink commits the new size only after its unlinks are durable,
 * and a grow past a size that ends inside a cluster zeroes the rest of that cluster, durably,
 * before it commits the size. Without either, a crash (or a plain shrink and grow) lets the grown
 * area show data from before the shrink (corpus/builtin-resize-*.json).
 */
import { describe, expect, it } from 'vitest';
import { offsetIntoCluster } from '../../../../spec/format/geometry.js';
import { lookupCluster } from '../../../../src/engine/builtin/cluster-lookup.js';
import { l1L2Offset } from '../../../../src/engine/builtin/l1-table.js';
import { durableBefore, record, touches } from './record.js';

const CS = 4096;
const SIZE_FIELD = { offsetBytes: 24, lengthBytes: 8 };
const writesSize = (op: Parameters<typeof touches>[0]) => touches(op, SIZE_FIELD.offsetBytes, SIZE_FIELD.lengthBytes);
/** A size 512 bytes short of 32 clusters: the last kept cluster is cut after its seventh sector. */
const CUT = 32 * CS - 512;

describe('builtin resize', () => {
  it('a grow after a shrink inside a cluster reads zeros where the cut sectors were', async () => {
    // Arrange + Act
    const r = await record({
      create: { clusterSizeBytes: CS, virtualSizeBytes: 1 << 20 },
      setup: (i) => i.write(0, new Uint8Array(32 * CS).fill(5)),
      act: (i) => (i.resize(CUT, { shrink: true }), i.resize(32 * CS)),
    });

    // Assert
    expect([...r.image.read(CUT, 512)].every((b) => b === 0)).toBe(true);
    expect([...r.image.read(CUT - 512, 512)].every((b) => b === 5)).toBe(true);
    const tailHost = lookupCluster(r.image.state, CUT).hostOffsetBytes;
    const grow = r.ops.findLastIndex(writesSize);
    const zeroed = r.ops.findIndex((op) => touches(op, tailHost + offsetIntoCluster(r.image.state.g, CUT), 512));
    expect(zeroed).toBeGreaterThanOrEqual(0);
    expect(r.ops.slice(zeroed, grow).some((op) => op.kind === 'flush'), 'the zeros are flushed before the size is committed').toBe(true);
  });

  it('a shrink flushes the unlinks past the new end before it commits the size', async () => {
    const r = await record({
      create: { clusterSizeBytes: CS, virtualSizeBytes: 1 << 20 },
      setup: (i) => i.write(0, new Uint8Array(64 * CS).fill(5)),
      act: (i) => i.resize(CUT, { shrink: true }),
    });
    const l2 = l1L2Offset(r.image.state, 0);
    expect(durableBefore(r.ops, (op) => touches(op, l2, CS), writesSize)).toBe(true);
  });
});
