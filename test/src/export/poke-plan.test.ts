/**
 * matchFlush finds the flush of a replay's log after which the file is the built image; pokeRuns
 * gives the bytes of a crash state that differ from it, with the logged writes that cover them.
 */
import { describe, expect, it } from 'vitest';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { matchFlush, pokeRuns } from '../../../src/export/poke-plan.js';

const write = (offsetBytes: number, fill: number, lengthBytes = 4): StorageOp => ({ kind: 'write', offsetBytes, lengthBytes, data: new Uint8Array(lengthBytes).fill(fill), fua: false, sizeBytesAfter: 0 });
const flush: StorageOp = { kind: 'flush', offsetBytes: 0, lengthBytes: 0, fua: false, sizeBytesAfter: 0 };

describe('matchFlush', () => {
  const base = new Uint8Array(16);
  const ops = [write(0, 1), flush, write(4, 2), flush, write(8, 3)];

  it('gives the log entries up to the latest flush whose file is the built image', () => {
    const built = new Uint8Array(16);
    built.fill(1, 0, 4);
    expect(matchFlush(built, base, ops)).toBe(2);
    built.fill(2, 4, 8);
    expect(matchFlush(built, base, ops)).toBe(4);
  });

  it('gives 0 for the segment\'s start and null when no flush has the image', () => {
    expect(matchFlush(new Uint8Array(16), base, ops)).toBe(0);
    const other = new Uint8Array(16).fill(9);
    expect(matchFlush(other, base, ops)).toBeNull();
    expect(matchFlush(new Uint8Array(20), base, ops)).toBeNull();
  });
});

describe('pokeRuns', () => {
  it('gives each differing run with the writes after the flush that cover it, merging close runs', () => {
    const built = new Uint8Array(64);
    const crash = new Uint8Array(64);
    crash.fill(7, 2, 4);
    crash.fill(7, 10, 12);
    crash.fill(8, 40, 44);
    const runs = pokeRuns(built, crash, [write(0, 7, 16), flush, write(40, 8)], 5);
    expect(runs.map((r) => [r.offsetBytes, r.bytes.length, r.logEntries])).toEqual([[2, 10, [6]], [40, 4, [8]]]);
    expect(Array.from(runs[0].bytes)).toEqual([7, 7, 0, 0, 0, 0, 0, 0, 7, 7]);
  });

  it('counts bytes past the built image\'s end as zeros, so a longer crash state is poked only where it is not zero', () => {
    const runs = pokeRuns(new Uint8Array(8), Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0]), [], 0);
    expect(runs.map((r) => [r.offsetBytes, Array.from(r.bytes)])).toEqual([[9, [5]]]);
  });

  it('gives nothing when the crash state is the built image', () => {
    expect(pokeRuns(new Uint8Array(8).fill(3), new Uint8Array(8).fill(3), [], 0)).toEqual([]);
  });
});
