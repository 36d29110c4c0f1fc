import { describe, expect, it } from 'vitest';
import { CHUNK_MAGIC, writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { groupKeyOf, groupLayoutOf } from '../../../../src/fuzz/oracle/state-groups.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import type { CrashState } from '../../../../src/storage/crash-states/crash-state.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

const SECTOR = 512;

/**
 * One unflushed epoch over 8 zeroed sectors: sector 0 gets metadata-like bytes (a key sector),
 * sectors 2 and 3 get fuzz content (data sectors), sector 5 is rewritten with the zeros it held
 * (one version: neither), sector 6 gets content and then metadata bytes (a key sector).
 */
function plan(): { plan: CrashPlan; crashPoint: number } {
  const rec = new RecordingDevice(MemoryDevice.from(new Uint8Array(8 * SECTOR)));
  rec.write(0, new Uint8Array(SECTOR).fill(0xab));
  rec.write(2 * SECTOR, writeContent(7, 1, 0, 2 * SECTOR));
  rec.write(5 * SECTOR, new Uint8Array(SECTOR));
  rec.write(6 * SECTOR, writeContent(7, 2, 0, SECTOR));
  rec.write(6 * SECTOR, new Uint8Array(SECTOR).fill(0xcd));
  return { plan: new CrashPlan(MemoryDevice.from(new Uint8Array(8 * SECTOR)), rec.ops), crashPoint: rec.ops.length };
}

/** The host sector of each key position of a layout. */
function keySectors(p: CrashPlan, crashPoint: number): number[] {
  const model = p.model(crashPoint);
  return [...groupLayoutOf(model).keyPositions].map((t) => model.touched.sectors[t]);
}

/** The bytes of `state` outside `dataSectors`. */
function bytesOutside(state: CrashState, dataSectors: readonly number[]): number[] {
  const bytes = state.view().read(0, state.sizeBytes);
  return [...bytes].filter((_, i) => !dataSectors.includes(Math.floor(i / SECTOR)));
}

describe('groupLayoutOf', () => {
  it('splits the sectors with several versions into data sectors (content or zeros only) and key sectors', () => {
    // Arrange
    const { plan: p, crashPoint } = plan();
    // Act
    const layout = groupLayoutOf(p.model(crashPoint));
    // Assert
    expect([...layout.dataSectors]).toEqual([2, 3]);
    expect(keySectors(p, crashPoint)).toEqual([0, 6]);
  });

  it('counts a sector as content when each 16-byte chunk starts with the tag magic or is all zeros', () => {
    const rec = new RecordingDevice(MemoryDevice.from(new Uint8Array(4 * SECTOR)));
    const chunky = new Uint8Array(SECTOR);
    const view = new DataView(chunky.buffer);
    for (let at = 0; at < SECTOR; at += 32) view.setUint32(at, CHUNK_MAGIC, true);
    const stray = chunky.slice();
    stray[SECTOR - 1] = 1;
    rec.write(0, chunky);
    rec.write(SECTOR, stray);
    const layout = groupLayoutOf(new CrashPlan(MemoryDevice.from(new Uint8Array(4 * SECTOR)), rec.ops).model(rec.ops.length));
    expect([...layout.dataSectors]).toEqual([0]);
    expect(layout.keyPositions.length).toBe(1);
  });

  it('is computed once per model', () => {
    const { plan: p, crashPoint } = plan();
    const model = p.model(crashPoint);
    expect(groupLayoutOf(model)).toBe(groupLayoutOf(model));
  });
});

describe('groupKeyOf', () => {
  it('gives one key to the states that differ only in data sectors, and those share every other byte', () => {
    // Arrange
    const { plan: p, crashPoint } = plan();
    const layout = groupLayoutOf(p.model(crashPoint));
    const states = [...p.statesAt(crashPoint)];
    // Act
    const groups = new Map<string, CrashState[]>();
    for (const s of states) groups.set(groupKeyOf(s, layout), [...(groups.get(groupKeyOf(s, layout)) ?? []), s]);
    // Assert: sectors 0 and 6 hold 2 and 3 versions (6 groups), data sectors 2 and 3 two each (4 states per group)
    expect(states.length).toBe(24);
    expect([...groups.values()].map((m) => m.length)).toEqual([4, 4, 4, 4, 4, 4]);
    for (const members of groups.values()) {
      const first = bytesOutside(members[0], [...layout.dataSectors]);
      for (const m of members.slice(1)) expect(bytesOutside(m, [...layout.dataSectors])).toEqual(first);
    }
  });

  it('gives different keys to states that differ in a key sector', () => {
    const { plan: p, crashPoint } = plan();
    const layout = groupLayoutOf(p.model(crashPoint));
    const states = [...p.statesAt(crashPoint)];
    const sector0 = (s: CrashState): number => s.view().read(0, 1)[0];
    const landed = states.find((s) => sector0(s) === 0xab)!;
    const dropped = states.find((s) => sector0(s) === 0)!;
    expect(groupKeyOf(landed, layout)).not.toBe(groupKeyOf(dropped, layout));
  });

  it('gives different keys to states of different file sizes', () => {
    // A write past the end grows the file: a crash may keep or lose the growth.
    const rec = new RecordingDevice(MemoryDevice.from(new Uint8Array(2 * SECTOR)));
    rec.write(0, new Uint8Array(SECTOR).fill(0xab));
    rec.write(2 * SECTOR, writeContent(7, 1, 0, SECTOR));
    const p = new CrashPlan(MemoryDevice.from(new Uint8Array(2 * SECTOR)), rec.ops);
    const layout = groupLayoutOf(p.model(rec.ops.length));
    const states = [...p.statesAt(rec.ops.length)];
    const sizes = new Set(states.map((s) => s.sizeBytes));
    const keys = new Set(states.map((s) => `${s.sizeBytes}:${groupKeyOf(s, layout)}`));
    const keysAlone = new Set(states.map((s) => groupKeyOf(s, layout)));
    expect(sizes.size).toBe(2);
    expect(keysAlone.size).toBe(keys.size);
  });
});
