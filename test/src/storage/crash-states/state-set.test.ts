import { describe, expect, it } from 'vitest';
import { StateSet } from '../../../../src/storage/crash-states/state-set.js';

describe('StateSet', () => {
  it('adds a choice once: the same size code and codes again are refused', () => {
    // Arrange
    const set = new StateSet();
    // Act
    const first = set.add(0, Uint8Array.of(1, 0, 2));
    const again = set.add(0, Uint8Array.of(1, 0, 2));
    // Assert
    expect([first, again, set.size]).toEqual([true, false, 1]);
  });

  it('tells choices apart by size code and by any one code', () => {
    const set = new StateSet();
    expect(set.add(0, Uint8Array.of(1, 0, 2))).toBe(true);
    expect(set.add(1, Uint8Array.of(1, 0, 2))).toBe(true);
    expect(set.add(0, Uint8Array.of(1, 0, 3))).toBe(true);
    expect(set.add(0, Uint8Array.of(2, 0, 2))).toBe(true);
    expect(set.size).toBe(4);
  });

  it('stays exact while it grows to thousands of choices, in wide code arrays and views with a tail past the last word', () => {
    const set = new StateSet();
    const backing = new Uint8Array(8 * 1024);
    const choices: Uint16Array[] = [];
    for (let i = 0; i < 5000; i++) choices.push(Uint16Array.of(i & 0xff, i >> 8, 7));
    const tailed = Array.from({ length: 300 }, (_, i) => {
      const view = new Uint8Array(backing.buffer, 4 + i * 8, 5);
      view.set([i & 0xff, i >> 8, 0, 0, 1]);
      return view;
    });
    expect(choices.every((c) => set.add(0, c))).toBe(true);
    expect(tailed.every((c) => set.add(2, c))).toBe(true);
    expect(choices.some((c) => set.add(0, c.slice()))).toBe(false);
    expect(tailed.some((c) => set.add(2, c.slice()))).toBe(false);
    expect(set.size).toBe(5300);
  });
});
