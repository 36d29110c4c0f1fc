/**
 * applyFailedOp: a guest data operation (write, write-zeroes, discard) that reported an injected
 * I/O error applied to the model as P6 allows it: each sector it touches may read as before or as
 * the operation would have left it (done or not, sector by sector). The lockstep after the next
 * flush resolves each such sector to what the image holds.
 */
import type { FuzzOp } from '../model/fuzz-op.js';
import type { GuestModel, OpEffect } from '../model/guest-model.js';

/** Operations whose failure leaves only sectors in doubt (the others end the open: see EioNemesis). */
export function isDataOp(op: FuzzOp): boolean {
  return op.kind === 'write' || op.kind === 'write-zeroes' || op.kind === 'discard';
}

/**
 * Applies the data op `op` to `model` with every sector it touches holding its candidates before
 * and after. @throws Error for an op that is not a data op (a caller's bug)
 */
export function applyFailedOp(model: GuestModel, op: FuzzOp): OpEffect {
  if (!isDataOp(op)) throw new Error(`assertion: applyFailedOp on ${op.kind}`);
  const before = new Map(model.values);
  const effect = model.apply(op);
  for (const [s, after] of effect.sectors) {
    const all = [...new Set([...(before.get(s) ?? [model.baseValue(s)]), ...after])];
    if (all.length === 1 && all[0] === model.baseValue(s)) model.values.delete(s);
    else model.values.set(s, all);
    effect.sectors.set(s, all);
  }
  return effect;
}
