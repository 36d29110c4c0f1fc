/**
 * FuzzTarget: the engine under test as the fuzzer drives it (Jepsen's client): it sets up a run's
 * image, records the storage operations of every guest op, and recovers crash states. The built-in
 * target works on in-memory devices; the QEMU target on files, with writes taken from
 * blklogwrites logs. Either way the fuzzer sees StorageOps and devices, and judges through spec/.
 */
import type { RepairOutcome } from '../../../spec/semantics/damage-repair-properties.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { EngineImage, RepairHook } from '../../engine/engine.js';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import type { BlockDevice } from '../../storage/block-device.js';
import type { FuzzImageOptions } from '../image-options.js';
import type { EioHooks } from '../nemesis/eio-hooks.js';
import type { BackingDevice } from '../spec-view.js';

/** An open image whose storage operations are being recorded, in segments between crashes. */
export interface FuzzSession {
  readonly image: EngineImage;
  readonly backing: BackingDevice | undefined;
  /** Storage operations recorded since the segment started. */
  readonly opCount: number;
  /** The recorded operations of the segment (after `sync()` for targets that log asynchronously). */
  ops(): readonly StorageOp[];
  /** The file when the segment started; never written. */
  readonly segmentBase: BlockDevice;
  /** The file now, as the device holds it (read it only, through spec/). */
  current(): BlockDevice;
  /** Brings `opCount` and `ops()` up to date with what the engine has done. */
  sync(): Promise<void>;
  /** Closes the image and opens it again (a clean close: everything flushed, dirty bit cleared). */
  reopen(): Promise<void>;
  /** Starts a new segment from `device` (a recovered crash state): opens it, recording from zero. */
  restart(device: BlockDevice): Promise<void>;
  /** Closes the image and releases everything (temporary files included). */
  dispose(): Promise<void>;
  /** How the I/O-error nemesis arms faults here (`--faults eio`); absent where it cannot. */
  readonly eio?: EioHooks;
}

/** What a recovery (or a repair) left, and the storage operations it made. */
export interface RecoveryRun {
  /** The image after recovery: the crash state plus the recovery's writes. */
  device: BlockDevice;
  /** The recovery's own storage operations, in completion order (P5 crashes inside them). */
  ops: readonly StorageOp[];
  /** Set when the engine or repair failed; `unsupported` when it cannot run here at all. */
  failure?: { message: string; rule?: string; unsupported?: boolean };
  /**
   * A repair's report, as its command would exit (qemu-img check's codes, CHK-4) and what it said:
   * P7 judges a repair of damage by it. Absent for an engine's recovery.
   */
  outcome?: RepairOutcome;
}

/** True when a recovery's operations changed no byte (only flushes): its image is the state it started from. */
export function wroteNothing(ops: readonly StorageOp[]): boolean {
  return ops.every((op) => op.kind === 'flush');
}

/** A repair run separately from the engine's recovery: crashcow's or qemu-img's `check -r all`. */
export interface Repairer {
  /** "crashcow check -r all" or "qemu-img check -r all". */
  readonly name: string;
  repair(state: BlockDevice): Promise<RecoveryRun>;
  /**
   * P5 (a crash inside this repair) runs on one group of crash states in this many (default 1:
   * every group); a repair that costs a process per run samples it to keep the campaign moving.
   */
  readonly p5Stride?: number;
  /**
   * The same for groups of dirty states, when the engine's own recovery of a dirty image runs
   * this very repair (the built-in engine's repair hook is crashcow's repair): P5 on that recovery
   * already crashes inside it on every group.
   */
  readonly dirtyP5Stride?: number;
  /** True for a repair in an external process (see FuzzTarget.opaqueRecovery). */
  readonly opaque?: boolean;
  /**
   * Set when this repair is exactly `hook` run on the state with `mutants`: a target whose dirty
   * open runs that very hook with the same mutants may give the run its hook recorded on the same
   * state instead of repairing it twice.
   */
  readonly sameAsHook?: { hook: RepairHook; mutants: readonly string[] };
}

export interface FuzzTarget {
  readonly engineName: 'builtin' | 'qemu';
  readonly engineVersion: string;
  /** The qemu-img and qemu-io the target runs, with their version line (the QEMU target only). */
  readonly qemuBinaries?: QemuBinaries;
  readonly repairers: readonly Repairer[];
  /**
   * The repairs P7 judges on damaged images (absent: `repairers`): each engine's own, so that a
   * repair failure is a finding against the engine it belongs to (crashcow's on the built-in
   * target, qemu-img's on QEMU's).
   */
  readonly damageRepairers?: readonly Repairer[];
  /** Creates the run's image (and backing file, filled with write 0's content) and opens it. */
  startSession(options: FuzzImageOptions, contentSeed: number): Promise<FuzzSession>;
  /** Read-write open and close through the engine (which repairs a dirty image), recorded. */
  recover(state: BlockDevice, backing: BackingDevice | undefined): Promise<RecoveryRun>;
  /**
   * True when recover() (and the target's own repairers) copy the whole state to an external
   * process, so their reads say nothing about what the engine looked at. The crash judge then
   * relies on qcow2 recovery and repair reading metadata only (no compressed or encrypted data is
   * ever written by the fuzzer) to share their verdicts between states that differ in guest data.
   */
  readonly opaqueRecovery?: boolean;
  /** Releases what the target holds (processes, temporary directories). */
  dispose(): Promise<void>;
}
