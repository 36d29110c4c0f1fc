/**
 * TableCache ordering declarations (QCOW2-FACTS §2.1): dirty tables go out in offset order; a
 * dependency is written and flushed first; dependsOnFlush puts one flush before the next write;
 * eviction obeys both; a dependency that would form a cycle is flushed when the new one is set.
 */
import { describe, expect, it } from 'vitest';
import { TableCache } from '../../../../src/engine/builtin/table-cache.js';
import { FaultyDevice } from '../../../../src/storage/faulty-device.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

const SIZE = 512;

function setup(capacity = 4) {
  const device = new RecordingDevice(new MemoryDevice());
  const l2 = new TableCache('l2', device, SIZE, capacity);
  const rb = new TableCache('refblock', device, SIZE, capacity);
  const log = () => device.ops.map((op) => (op.kind === 'flush' ? 'F' : `W${op.offsetBytes / SIZE}`));
  const dirty = (c: TableCache, index: number, byte = 1) => {
    c.get(index * SIZE)[0] = byte;
    c.markDirty(index * SIZE);
  };
  return { device, l2, rb, log, dirty };
}

describe('TableCache', () => {
  it('writes dirty tables in offset order, only once', () => {
    const { l2, log, dirty } = setup();
    dirty(l2, 3);
    dirty(l2, 1);
    l2.write();
    l2.write();
    expect(log()).toEqual(['W1', 'W3']);
    expect(l2.hasDirty).toBe(false);
  });

  it('writes and flushes a dependency first (ORD-1 shape)', () => {
    const { l2, rb, log, dirty } = setup();
    dirty(rb, 7);
    dirty(l2, 2);
    l2.setDependency(rb);
    l2.write();
    expect(log()).toEqual(['W7', 'F', 'W2']);
  });

  it('flushes once before the next write after dependsOnFlush (ORD-3 shape)', () => {
    const { l2, log, dirty } = setup();
    dirty(l2, 1);
    dirty(l2, 2);
    l2.dependsOnFlush();
    l2.write();
    dirty(l2, 1, 5);
    l2.write();
    expect(log()).toEqual(['F', 'W1', 'W2', 'W1']);
  });

  it('keeps a dependency whose flush failed: the next write flushes it first (found by --faults eio)', () => {
    const device = new RecordingDevice(new MemoryDevice());
    const faulty = new FaultyDevice(device);
    const l2 = new TableCache('l2', faulty, SIZE, 4);
    const rb = new TableCache('refblock', faulty, SIZE, 4);
    rb.get(7 * SIZE)[0] = 1;
    rb.markDirty(7 * SIZE);
    l2.get(2 * SIZE)[0] = 1;
    l2.markDirty(2 * SIZE);
    l2.setDependency(rb);
    faulty.arm([{ on: 'flush', nth: 1, errno: 'EIO' }]);
    expect(() => l2.write()).toThrow(/injected EIO/);
    l2.write();
    const log = device.ops.map((op) => (op.kind === 'flush' ? 'F' : `W${op.offsetBytes / SIZE}`));
    expect(log).toEqual(['W7', 'F', 'W2']);
  });

  it('honours the dependency when it evicts a dirty table', () => {
    const { l2, rb, log, dirty } = setup(2);
    dirty(rb, 9);
    dirty(l2, 1);
    l2.setDependency(rb);
    l2.get(2 * SIZE);
    l2.get(3 * SIZE);
    expect(log()).toEqual(['W9', 'F', 'W1']);
  });

  it('resolves a would-be cycle by flushing the other side first (ORD-2 then ORD-1)', () => {
    const { l2, rb, log, dirty } = setup();
    dirty(l2, 1);
    dirty(rb, 8);
    rb.setDependency(l2); // a decrease: refcounts after the unlink
    l2.setDependency(rb); // an increase: the L2 link after refcounts -> the unlink goes out now
    expect(log()).toEqual(['W1', 'F']);
    dirty(l2, 1, 5);
    l2.write();
    expect(log()).toEqual(['W1', 'F', 'W8', 'F', 'W1']);
  });

  it('drops a discarded table without writing it', () => {
    const { l2, log, dirty } = setup();
    dirty(l2, 4);
    l2.discard(4 * SIZE);
    l2.flush();
    expect(log()).toEqual(['F']);
    expect(l2.has(4 * SIZE)).toBe(false);
  });
});
