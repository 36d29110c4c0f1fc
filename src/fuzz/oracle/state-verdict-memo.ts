/**
 * stateVerdictMemo: the VerdictMemo of one crash state after one recovery. A guest sector's bytes
 * come from a host sector, and in every crash state of one crash plan a host sector holds the
 * sector as some operation of the log left it (bytesOrigins), so (guest sector, host sector, that
 * operation) names the bytes exactly, unless the recovery wrote the host sector or it lies past
 * the state's end. The verdicts are shared by every state of the plan, across its crash points;
 * a verdict reached under another expectation holds again only while the value it found is still
 * among the sector's candidates (VerdictMemo.passed).
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { bytesOrigins } from '../../storage/crash-states/crash-point-model.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import type { FixedBytes, VerdictMemo } from '../model/judge-guest-view.js';
import { VerdictTable } from '../model/verdict-table.js';

/** Per plan (its lineage, or the model without one), per view, the verdicts reached. */
const passedByScope = new WeakMap<object, Map<string, VerdictTable>>();

/** Keys (per guest sector): host sector * 2^16 + origin. */
const GUEST_SECTORS_MAX = 1 << 16;
/** Host sector numbers stop below this; the two above it name the fixed byte sources. */
const HOST_SECTORS_MAX = (1 << 24) - 2;
const ORIGINS = 1 << 16;

/** Host sectors (of `sectorSizeBytes`) a recovery's operations changed; Infinity-bounded by truncates. */
function writtenSectors(ops: readonly StorageOp[], sectorSizeBytes: number): { set: Set<number>; cutFrom: number } {
  const set = new Set<number>();
  let cutFrom = Infinity;
  for (const op of ops) {
    if (op.kind === 'truncate') cutFrom = Math.min(cutFrom, Math.floor(op.offsetBytes / sectorSizeBytes));
    if (op.kind !== 'write' && op.kind !== 'zeroes' && op.kind !== 'discard') continue;
    for (let s = Math.floor(op.offsetBytes / sectorSizeBytes); s * sectorSizeBytes < op.offsetBytes + op.lengthBytes; s++) set.add(s);
  }
  return { set, cutFrom };
}

/**
 * The memo of `state` after a recovery that made `recoveryOps` (for P5: the interrupted recovery's
 * operations and the second one's together). Sectors that read zeros or the layer below read the
 * same bytes in every state, so their key needs no host sector.
 */
export function stateVerdictMemo(state: CrashState, recoveryOps: readonly StorageOp[]): VerdictMemo {
  const model = state.model;
  const scope = model.lineage ?? model;
  const views = passedByScope.get(scope) ?? new Map<string, VerdictTable>();
  passedByScope.set(scope, views);
  const s = model.sectorSizeBytes;
  const written = writtenSectors(recoveryOps, s);
  const endSector = Math.floor(state.sizeBytes / s);
  const memoFor = (view: string): VerdictMemo => {
    let passed = views.get(view);
    if (!passed) views.set(view, (passed = new VerdictTable()));
    return {
      passed,
      keysOf(guestSector: number, hostSector: number, count: number, out: Float64Array): void {
        if (s !== 512 || guestSector + count > GUEST_SECTORS_MAX) {
          out.fill(-1, 0, count);
          return;
        }
        bytesOrigins(model, state.codes, hostSector, count, out);
        for (let i = 0; i < count; i++) {
          const h = hostSector + i;
          const origin = out[i];
          const memoizable = h < HOST_SECTORS_MAX && h < endSector && h < written.cutFrom && !written.set.has(h) && origin >= 0 && origin < ORIGINS;
          out[i] = memoizable ? h * ORIGINS + origin : -1;
        }
      },
      keyOfFixed(guestSector: number, bytes: FixedBytes): number {
        if (guestSector >= GUEST_SECTORS_MAX) return -1;
        return (HOST_SECTORS_MAX + bytes) * ORIGINS;
      },
      forView: memoFor,
    };
  };
  return memoFor('active');
}
