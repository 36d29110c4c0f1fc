/**
 * crashOnOwnEngine: a case's crash state as the engine that found it makes it: the case replayed
 * on its own engine (with its mutants; a QEMU case on the QEMU given), its state rebuilt there,
 * and where its crash falls among the guest operations (the crash window of
 * spec/semantics/durability.ts, from the storage operations each one issued). What the baseline's
 * crash is compared with.
 */
import { crashWindowAt, type CrashWindow } from '../../../spec/semantics/durability.js';
import type { MutantName } from '../../engine/mutants.js';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import type { FuzzCase } from '../case/fuzz-case.js';
import { replayToState } from '../case/replay-to-state.js';
import { makeTarget } from '../target/make-target.js';

export interface OwnCrash {
  state: CrashState;
  window: CrashWindow;
  /** The storage operations the engine recorded in the crash's segment, and the file size when it started. */
  storageOps: readonly StorageOp[];
  segmentSizeBytes: number;
}

/**
 * `c`'s crash state on its engine with its window, or why the replay does not make it (it ended
 * before the crash, or diverged: the engine no longer writes what the case records).
 * @throws SetupError when QEMU cannot run; InvalidCaseError for a case whose crash does not fit its operations
 */
export async function crashOnOwnEngine(c: FuzzCase, path: string, qemu?: QemuBinaries): Promise<OwnCrash | { unplaced: string }> {
  if (!c.crash) return { unplaced: 'the case has no crash state' };
  const target = await makeTarget(c.engine.name, c.engine.mutants as MutantName[], c.engine.name === 'qemu' ? qemu : undefined);
  try {
    const r = await replayToState(c, target, path);
    if (r.kind === 'diverged') return { unplaced: `its own engine does not make it any more: ${r.reason}` };
    if (r.kind === 'ended') return { unplaced: 'on its own engine the run ends before the crash' };
    if (r.kind === 'damage') return { unplaced: 'a damage case has no crash state' };
    const { state, oracle, storageOps, segmentBase } = r.crash;
    return { state, window: crashWindowAt(oracle.entries, state.crashPoint), storageOps, segmentSizeBytes: segmentBase.sizeBytes };
  } finally {
    await target.dispose();
  }
}
