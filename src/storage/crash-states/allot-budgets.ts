/**
 * Splits `maxStates` across crash points with `counts[i]` possible states each (water-filling):
 * a point whose whole space fits its fair share is enumerated whole, and what it leaves over goes
 * to the others; the rest share equally, the earliest points taking the remainder. The result sums
 * to at most `maxStates` and to exactly `maxStates` when the spaces hold at least that many.
 */
export function allotBudgets(counts: readonly number[], maxStates: number): number[] {
  const budgets = new Array<number>(counts.length).fill(0);
  const order = counts.map((_, i) => i).sort((a, b) => counts[a] - counts[b] || a - b);
  let left = maxStates;
  let i = 0;
  for (; i < order.length; i++) {
    const share = Math.floor(left / (order.length - i));
    if (counts[order[i]] > share) break;
    budgets[order[i]] = counts[order[i]];
    left -= counts[order[i]];
  }
  const rest = order.slice(i).sort((a, b) => a - b);
  rest.forEach((index, r) => {
    budgets[index] = Math.floor(left / rest.length) + (r < left % rest.length ? 1 : 0);
  });
  return budgets;
}
