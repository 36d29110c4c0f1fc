/**
 * writeFates agrees with CrashState.summarize on every state of a small crash (kept, dropped, torn
 * alike) and says which host bytes of a torn write landed and which were lost.
 */
import { describe, expect, it } from 'vitest';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { writeFates } from '../../../src/explain/write-fates.js';
import { CrashPlan } from '../../../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';

const write = (offsetBytes: number, lengthBytes: number, fill: number, sizeBytesAfter: number): StorageOp => ({ kind: 'write', offsetBytes, lengthBytes, data: new Uint8Array(lengthBytes).fill(fill), fua: false, sizeBytesAfter });

describe('writeFates', () => {
  const ops: StorageOp[] = [write(0, 1024, 1, 2048), { kind: 'flush', offsetBytes: 0, lengthBytes: 0, fua: false, sizeBytesAfter: 2048 }, write(0, 1024, 2, 2048), write(1024, 1024, 3, 2048)];
  const plan = new CrashPlan(new MemoryDevice(2048), ops, { maxStates: 64 });

  it('agrees with summarize on every state of the crash after the last write', () => {
    const states = [...plan.statesAt(ops.length)];
    expect(states.length).toBeGreaterThan(4);
    for (const s of states) {
      const fates = writeFates(s);
      const summary = s.summarize();
      const of = (fate: string): number[] => [...fates].filter(([, f]) => f.fate === fate).map(([i]) => i);
      expect(of('kept'), s.id).toEqual(summary.survivingOps);
      expect(of('dropped'), s.id).toEqual(summary.droppedOps);
      expect(of('torn').map((i) => ({ opIndex: i, sectorsLanded: fates.get(i)!.sectorsLanded, sectorCount: fates.get(i)!.sectorCount })), s.id).toEqual(summary.tornOps);
    }
  });

  it('names the bytes of a torn write that landed and those lost', () => {
    const torn = [...plan.statesAt(ops.length)].map((s) => writeFates(s).get(2)!).find((f) => f.fate === 'torn');
    expect(torn).toBeDefined();
    expect(torn!.sectorCount).toBe(2);
    expect([...torn!.landed!, ...torn!.lost!].sort((a, b) => a.fromBytes - b.fromBytes)).toEqual([{ fromBytes: 0, toBytes: 512 }, { fromBytes: 512, toBytes: 1024 }]);
  });
});
