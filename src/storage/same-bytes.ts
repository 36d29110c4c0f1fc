/** True when `a` and `b` hold the same bytes (one native compare, not a loop in script). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.length === b.length && Buffer.compare(a, b) === 0);
}
