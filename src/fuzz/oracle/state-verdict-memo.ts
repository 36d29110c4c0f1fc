/**
 * stateVerdictMemo: the VerdictMemo of one crash state after one recovery. A guest sector's bytes
 * come from a host sector; within one crash point that host sector holds its durable content or
 * one version per code, so (guest sector, host sector, version) names the bytes exactly, unless the
 * recovery wrote the host sector or it lies past the state's end. The passed sets (one per view:
 * the active disk and each snapshot) are shared by all states of the crash point (their
 * expectation is the same).
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { CrashPointModel } from '../../storage/crash-states/crash-point-model.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import type { FixedBytes, VerdictMemo } from '../model/judge-guest-view.js';

const passedByModel = new WeakMap<CrashPointModel, Map<string, Set<number>>>();

const GUEST_SECTORS_MAX = 1 << 16;
/** Host sector numbers stop below this; the two above it name the fixed byte sources. */
const HOST_SECTORS_MAX = (1 << 24) - 2;
const VERSIONS_MAX = 1023;

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
  const views = passedByModel.get(model) ?? new Map<string, Set<number>>();
  passedByModel.set(model, views);
  const s = model.sectorSizeBytes;
  const written = writtenSectors(recoveryOps, s);
  const endSector = Math.floor(state.sizeBytes / s);
  const memoFor = (view: string): VerdictMemo => {
    let passed = views.get(view);
    if (!passed) views.set(view, (passed = new Set()));
    return {
      passed,
      keyOf(guestSector: number, hostSector: number): number {
        if (s !== 512 || guestSector >= GUEST_SECTORS_MAX || hostSector >= HOST_SECTORS_MAX || hostSector >= endSector) return -1;
        if (hostSector >= written.cutFrom || written.set.has(hostSector)) return -1;
        const t = model.touched.lowerBound(hostSector);
        const version = t < model.touched.count && model.touched.sectors[t] === hostSector ? state.codes[t] + 1 : 0;
        if (version > VERSIONS_MAX) return -1;
        return (guestSector * (HOST_SECTORS_MAX + 2) + hostSector) * 1024 + version;
      },
      keyOfFixed(guestSector: number, bytes: FixedBytes): number {
        if (guestSector >= GUEST_SECTORS_MAX) return -1;
        return (guestSector * (HOST_SECTORS_MAX + 2) + HOST_SECTORS_MAX + bytes) * 1024;
      },
      forView: memoFor,
    };
  };
  return memoFor('active');
}
