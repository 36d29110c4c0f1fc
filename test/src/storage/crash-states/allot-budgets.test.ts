import { describe, expect, it } from 'vitest';
import { allotBudgets } from '../../../../src/storage/crash-states/allot-budgets.js';

describe('allotBudgets', () => {
  it('small spaces are taken whole and their leftover goes to the large ones', () => {
    expect(allotBudgets([2, 1000, 3, Infinity], 100)).toEqual([2, 48, 3, 47]);
  });

  it('everything fits: every space whole', () => {
    expect(allotBudgets([5, 6, 7], 100)).toEqual([5, 6, 7]);
  });

  it('never exceeds the total, and uses all of it when the spaces are large', () => {
    const budgets = allotBudgets([1e9, 1e9, 1e9], 10);
    expect(budgets).toEqual([4, 3, 3]);
  });
});
