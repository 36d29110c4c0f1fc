/**
 * CrashStateJudge: every crash property on every state of a crash (Jepsen's checker for the
 * nemesis' crash). P1 and P2 on the state as the crash left it; then each recovery (the engine's
 * read-write open and close, and every separate repair): P2 and P3 on its result, P4 on its guest
 * data. A recovery that cannot run here (a dirty image without a repair) gives no verdict
 * (Jepsen's unknown), counted in `ctx.unknown`.
 *
 * States of one group (state-groups.ts) share the check and the recoveries of the first one seen,
 * when tracking proves those never read a sector the states differ in: the others only replay the
 * recovery's writes over their own bytes and judge their guest data (P4).
 */
import { applyOps } from '../../storage/apply-op.js';
import { readIntoFrom, type BlockDevice } from '../../storage/block-device.js';
import { CowDevice } from '../../storage/cow-device.js';
import type { CrashPointModel } from '../../storage/crash-states/crash-point-model.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import type { DurabilityExpectation } from '../model/durability-oracle.js';
import type { RecoveryRun } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import { isClean } from '../../../spec/semantics/crash-properties.js';
import { summarizeRecovered, type CheckSummary } from './check-summary.js';
import { stateCheckerFor, type StateChecker } from './state-checker.js';
import { judgeRecovered, judgeStateAsLeft, type CrashJudgeContext } from './judge-crash-state.js';
import { candidateBytesFor } from '../content/candidate-bytes.js';
import { SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import { describeSectorOrigin } from '../content/decode-sector.js';
import { mapDataSectors, type MappedSector } from './data-sector-map.js';
import { judgeData, mismatchViolation } from './judge-data.js';
import { ReadTracker } from './read-tracker.js';
import { judgeRepairUnderCrash } from './repair-under-crash.js';
import { groupKeyOf, groupLayoutOf } from './state-groups.js';
import { stateVerdictMemo } from './state-verdict-memo.js';

/**
 * A crash state that checks clean and is not dirty goes through the separate repairs only once in
 * this many groups: a repair of a clean image changes nothing (the repair's own idempotence tests
 * hold it to that), so judging it on every such state would only cost time.
 */
const CLEAN_REPAIR_STRIDE = 8;

/** A recovery as it ran on a group's first state. */
interface SharedRecovery {
  how: string;
  full: boolean;
  run: RecoveryRun;
  /** Runs the same recovery on another device (P5). */
  again: (state: BlockDevice) => Promise<RecoveryRun>;
  /** P5 on one group in this many. */
  p5Stride: number;
  /** Guest sectors reading varying host sectors (built on first use; null: compare everything). */
  mapped?: MappedSector[] | null;
}

/** The shared verdict of a group: a violation for all, or the recoveries to replay per state. */
interface GroupVerdict {
  violation: Violation | null;
  recoveries: SharedRecovery[];
  /** False when a check or recovery read a sector the group's states differ in. */
  shareable: boolean;
  /** Recoveries that could not run (no verdict). */
  unknown: number;
}

export class CrashStateJudge {
  private readonly groups = new WeakMap<CrashPointModel, Map<string, GroupVerdict>>();
  /** States whose verdict came from their group. */
  sharedCount = 0;
  /** Groups judged in full. */
  groupCount = 0;
  private cleanGroupCount = 0;
  private readonly sectorBytes = new Uint8Array(SECTOR_SIZE_BYTES);
  private readonly sectorWords = new Int32Array(this.sectorBytes.buffer);
  /** Checks a state as the crash left it: in full, or from its crash point's flushed image (ctx.judge). */
  readonly checker: StateChecker;

  constructor(private readonly ctx: CrashJudgeContext) {
    this.checker = stateCheckerFor(ctx.judge);
  }

  /** Every property on one state; the violation's stage is relative ("after ..."). */
  async judge(state: CrashState, exp: DurabilityExpectation): Promise<Violation | null> {
    const layout = groupLayoutOf(state.model);
    let byKey = this.groups.get(state.model);
    if (!byKey) this.groups.set(state.model, (byKey = new Map()));
    const key = groupKeyOf(state, layout);
    const shared = byKey.get(key);
    if (shared?.shareable) {
      this.sharedCount++;
      this.ctx.unknown.count += shared.unknown;
      return shared.violation ?? this.judgeMemberData(state.view(), shared, exp, layout.dataSectors);
    }
    this.groupCount++;
    const tracker = new ReadTracker(state.view(), layout.dataSectors, state.model.sectorSizeBytes);
    const verdict = await this.judgeFirst(state, tracker);
    verdict.shareable = !tracker.touched;
    if (!shared) byKey.set(key, verdict);
    if (verdict.violation) return verdict.violation;
    const data = this.judgeFullData(state, verdict, exp);
    if (data) return data;
    const groupIndex = this.groupCount;
    for (const r of verdict.recoveries) {
      if (groupIndex % r.p5Stride !== 0) continue;
      verdict.violation ??= await judgeRepairUnderCrash(this.ctx, state.view(), { how: r.how, full: r.full, run: r.run, again: r.again }, exp, (writes) => stateVerdictMemo(state, writes));
    }
    return verdict.violation;
  }

  /**
   * P1 to P3 on a group's first state `crashState` (read through `state`, which tracks the reads;
   * an opaque recovery in another process gets the untracked view, see FuzzTarget.opaqueRecovery),
   * checked by `checker` (in full or incrementally, the same summary either way), recording each
   * recovery's writes. P4 and then P5 follow in `judge`; P5's crash states inside a recovery
   * are judged on the group's first state only, and the group shares that verdict.
   */
  private async judgeFirst(crashState: CrashState, state: BlockDevice): Promise<GroupVerdict> {
    const ctx = this.ctx;
    const untracked = crashState.view();
    const verdict: GroupVerdict = { violation: null, recoveries: [], shareable: true, unknown: 0 };
    const before = this.checker.summarize(crashState, state);
    verdict.violation = judgeStateAsLeft(before, ctx.lazyRefcounts, 'as the crash left it');
    if (verdict.violation) return verdict;
    const clean = !before.dirty && isClean(before);
    const repairers = clean && this.cleanGroupCount++ % CLEAN_REPAIR_STRIDE !== 0 ? [] : ctx.target.repairers;
    const recoveries: Array<{ how: string; full: boolean; p5Stride: number; opaque: boolean; run: (s: BlockDevice) => Promise<RecoveryRun> }> = [
      { how: `${ctx.target.engineName} read-write open and close`, full: false, p5Stride: 1, opaque: ctx.target.opaqueRecovery === true, run: (s) => ctx.target.recover(s, ctx.backing) },
      ...repairers.map((r) => ({ how: r.name, full: true, p5Stride: (before.dirty ? r.dirtyP5Stride : undefined) ?? r.p5Stride ?? 1, opaque: r.opaque === true, run: (s: BlockDevice) => r.repair(s) })),
    ];
    for (const r of recoveries) {
      const run = await r.run(r.opaque ? untracked : state);
      if (run.failure?.unsupported) {
        ctx.unknown.count++;
        verdict.unknown++;
        continue;
      }
      const after: CheckSummary | null = run.failure ? null : summarizeRecovered(before, run.ops, run.device);
      verdict.violation = judgeRecovered(before, run, after, r.how, r.full, ctx.lazyRefcounts, `after ${r.how}`);
      if (verdict.violation) return verdict;
      verdict.recoveries.push({ how: r.how, full: r.full, run, again: r.run, p5Stride: r.p5Stride });
    }
    return verdict;
  }

  /** P4 on a group's first state: its recovered images, every sector not already judged at this crash point. */
  private judgeFullData(state: CrashState, verdict: GroupVerdict, exp: DurabilityExpectation): Violation | null {
    for (const r of verdict.recoveries) {
      const memo = stateVerdictMemo(state, r.run.ops);
      const v = judgeData(toByteSource(r.run.device), this.ctx.backing, exp, this.ctx.contentSeed, `after ${r.how}`, undefined, memo);
      if (v) return v;
    }
    return null;
  }

  /**
   * P4 on another state of a group: its own bytes with each shared recovery's writes replayed over
   * them; only the guest sectors that read varying host sectors can differ from the first state's.
   */
  private judgeMemberData(state: BlockDevice, verdict: GroupVerdict, exp: DurabilityExpectation, dataSectors: Float64Array): Violation | null {
    for (const r of verdict.recoveries) {
      const device = new CowDevice(state);
      applyOps(device, r.run.ops);
      if (r.mapped === undefined) r.mapped = mapDataSectors(toByteSource(r.run.device), this.ctx.backing, exp, new Set(dataSectors));
      const stage = `after ${r.how}`;
      const v = r.mapped === null ? judgeData(toByteSource(device), this.ctx.backing, exp, this.ctx.contentSeed, stage) : this.judgeMapped(device, r.mapped, exp, stage);
      if (v) return v;
    }
    return null;
  }

  private judgeMapped(device: BlockDevice, mapped: readonly MappedSector[], exp: DurabilityExpectation, stage: string): Violation | null {
    const cache = candidateBytesFor(this.ctx.contentSeed);
    for (const m of mapped) {
      readIntoFrom(device, m.hostSector * SECTOR_SIZE_BYTES, this.sectorBytes);
      if (cache.match(this.sectorWords, 0, m.guestSector, m.candidates) !== null) continue;
      const actual = describeSectorOrigin(this.sectorBytes, 0, m.guestSector, this.ctx.contentSeed);
      const mismatch = { kind: 'sector' as const, sectorIndex: m.guestSector, guestOffsetBytes: m.guestSector * SECTOR_SIZE_BYTES, expected: m.candidates, actual };
      return mismatchViolation(mismatch, exp, m.view, stage);
    }
    return null;
  }
}
