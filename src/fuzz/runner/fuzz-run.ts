/**
 * FuzzRun: one run of the lockstep fuzzer (the "real" side of fast-check's model-based run). It
 * applies each FuzzOp to the engine and to the model, records which storage operations each op
 * made (the history), checks the image against the model after every flush and close (lockstep),
 * and at a crash judges the states the crash nemesis chose, then recovers and goes on. A broken
 * property ends the run: it is recorded in the run's outcome (a value, see RunOutcome), ops after
 * it are not applied, and nothing is thrown.
 */
import type { BlockDevice } from '../../storage/block-device.js';
import { MemoryDevice } from '../../storage/memory-device.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { writeContent } from '../content/content-tag.js';
import { drawDamages } from '../damage/damage-nemesis.js';
import type { Damage } from '../damage/damage.js';
import type { Segment } from '../damage/write-damage.js';
import type { FaultKind } from '../faults/fault-mode.js';
import type { DurabilityExpectation } from '../model/durability-oracle.js';
import { judgeDamage, type DamageJudgeContext } from '../oracle/damage-judge.js';
import { sumCoverage } from '../coverage/coverage.js';
import type { OpStorageSpan } from '../coverage/op-kind-at.js';
import { crashCoverage, runCoverage } from '../coverage/run-coverage.js';
import { baseContentBytesOf, fillSnapshotName, type FuzzImageOptions } from '../image-options.js';
import { DurabilityOracle } from '../model/durability-oracle.js';
import { describeOp, isBarrier, type FuzzOp } from '../model/fuzz-op.js';
import { GuestModel } from '../model/guest-model.js';
import type { CrashJudgeContext } from '../oracle/judge-crash-state.js';
import type { JudgeMode } from '../oracle/state-checker.js';
import type { EioFault, EioPlan } from '../nemesis/eio-fault.js';
import { EioNemesis } from '../nemesis/eio-nemesis.js';
import { applyFailedOp, isDataOp } from '../nemesis/failed-op-effect.js';
import { failureOf } from '../target/failure-of.js';
import type { FuzzSession, FuzzTarget } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import type { CrashEvidence, RecordedCrash } from './crash-evidence.js';
import { chooseCrashStates } from './crash-nemesis.js';
import { judgeCrash } from './judge-crash.js';
import { lockstepCheck } from './lockstep.js';
import { recoverAfterCrash } from './recover-after-crash.js';
import type { RunOutcome } from './run-outcome.js';
import { newRunStats, sumStats, type RunStats } from './run-stats.js';

interface FuzzRunSettings {
  target: FuzzTarget;
  options: FuzzImageOptions;
  /** Seed of the written content and of crash-state sampling. */
  seed: number;
  /** Crash states judged per crash, at most. */
  statesPerCrash: number;
  /** False to go through crashes without judging their states (replaying up to a known state). */
  judgeCrashes?: boolean;
  /** How crash states are checked as the crash left them (default incremental; same verdicts). */
  judge?: JudgeMode;
  /**
   * The fault the run ends with (default `power`): `power` and `eio` judge a final crash like every
   * crash of the run; `damage` closes the image cleanly and judges P7 on damaged copies of it.
   */
  fault?: FaultKind;
  /**
   * Checked between crash states and ops: true ends the run where it is, as stopped (a campaign's
   * deadline or Ctrl-C; without it a long run would overrun `--time` by its whole length).
   */
  shouldAbandon?: () => boolean;
  /** `--faults eio`: the I/O-error plan drawn for the run, or a case's fault (replay). */
  eio?: EioPlan | EioFault;
}

type RunEnd = { verdict: 'stopped' } | { verdict: 'fail'; violation: Violation; crash: CrashEvidence | null; damage?: Damage };

/** Damaged copies of the clean image a damage run judges. */
export const DAMAGES_PER_RUN = 6;

/** The image a damage run damages, with what P7 compares it with. */
export interface CleanImage {
  /** The image after the run's clean close (a copy: damage is applied over it). */
  image: BlockDevice;
  /** The last segment's storage history (lost and misdirected writes come from it). */
  segment: Segment;
  /** What the guest reads of it. */
  exp: DurabilityExpectation;
  context: DamageJudgeContext;
}

export class FuzzRun {
  readonly model: GuestModel;
  /** Every op applied so far, with the write ids it was given. */
  readonly history: FuzzOp[] = [];
  private end: RunEnd | null = null;
  private stats: RunStats = newRunStats();
  private session!: FuzzSession;
  private oracle!: DurabilityOracle;
  private nextWriteId = 1;
  private nextSnapshotIndex = 1;
  private crashIndex = 0;
  private eio: EioNemesis | null = null;
  /** The storage operations each op of the current segment issued (which op a crash point falls in). */
  private spans: OpStorageSpan[] = [];

  private constructor(readonly settings: FuzzRunSettings) {
    const o = settings.options;
    this.model = new GuestModel({ virtualSizeBytes: o.virtualSizeBytes, clusterSizeBytes: o.clusterSizeBytes, backingSizeBytes: baseContentBytesOf(o) });
    // The fill's snapshots hold the base content, as the disk did when they were taken.
    for (let i = 1; i <= (o.fillSnapshots ?? 0); i++) this.model.snapshots.set(fillSnapshotName(i), { values: new Map(), virtualSizeBytes: o.virtualSizeBytes });
  }

  /** Creates the image and opens it. */
  static async start(settings: FuzzRunSettings): Promise<FuzzRun> {
    const run = new FuzzRun(settings);
    run.session = await settings.target.startSession(settings.options, settings.seed);
    run.oracle = new DurabilityOracle(run.model);
    const hooks = run.session.eio;
    if (settings.eio && hooks) run.eio = new EioNemesis(settings.eio, hooks);
    return run;
  }

  /** True once the run has ended early: a property broke, it was abandoned, or a crash could not be recovered here. */
  get stopped(): boolean {
    return this.end !== null;
  }

  /** A fresh write id (write ids start at 1; 0 is the backing file). */
  takeWriteId(): number {
    return this.nextWriteId++;
  }

  /** A fresh snapshot name. */
  takeSnapshotName(): string {
    return `s${this.nextSnapshotIndex++}`;
  }

  /** Applies one op (write ids and names already filled in) to the engine and the model; nothing once the run has ended. */
  async apply(op: FuzzOp): Promise<void> {
    if (!this.end && this.settings.shouldAbandon?.()) this.end = { verdict: 'stopped' };
    if (this.end) return;
    const step = this.eio?.beforeOp(op, this.history.length) ?? null;
    if (step === 'reopen-then-arm') {
      this.eio!.arm();
      await this.applyOne({ kind: 'reopen' });
      if (this.end) return;
    } else if (step === 'arm') this.eio!.arm();
    await this.applyOne(op);
  }

  private async applyOne(op: FuzzOp): Promise<void> {
    this.history.push(op);
    this.stats.ops++;
    if (op.kind === 'crash') return this.crash();
    const startOp = this.session.opCount;
    this.eio?.startOp();
    let error: unknown = null;
    let threw = false;
    try {
      await this.perform(op);
    } catch (err) {
      [threw, error] = [true, err];
    }
    await this.session.sync();
    this.spans.push({ kind: op.kind, startOp, endOp: this.session.opCount });
    const judged = this.eio?.afterOp(op, this.history.length - 1, threw, error);
    if (judged?.violation) return this.fail(judged.violation, null);
    if (judged?.failed) return this.afterFailedOp(op, startOp);
    if (threw) {
      const f = failureOf(error);
      return this.fail({ property: 'LOCKSTEP', rules: [f.rule ?? 'ENGINE-THROW'], summary: `${describeOp(op)} failed: ${f.message}`, stage: `op ${this.history.length}`, expected: 'the op succeeds', actual: f.message }, null);
    }
    this.oracle.record(op, this.model.apply(op), startOp, this.session.opCount);
    if (isBarrier(op)) this.lockstep(op);
  }

  /**
   * An operation that reported an injected I/O error (P6): a data op leaves its sectors in doubt
   * (done or not, sector by sector) and the run goes on in the same open; a failed flush makes
   * nothing durable; any other (a close, a snapshot, a resize) leaves the engine's state unknown,
   * so the process is killed there and its image recovered, the op counting as in flight.
   */
  private async afterFailedOp(op: FuzzOp, startOp: number): Promise<void> {
    if (isDataOp(op)) return this.oracle.record(op, applyFailedOp(this.model, op), startOp, this.session.opCount);
    if (op.kind === 'flush') return;
    if (op.kind !== 'reopen') this.oracle.record(op, this.model.apply(op), startOp, this.session.opCount);
    this.eio?.openEnded();
    await this.recoverKilled();
  }

  /**
   * Ends the run with its fault: a final crash, judged like any other (recorded as an op), or, for
   * a damage run, a clean close (recorded as a reopen) and P7 on damaged copies of the image.
   * Releases the session and gives the outcome.
   */
  async finish(): Promise<RunOutcome> {
    try {
      if (this.settings.fault === 'damage') await this.damageEnd();
      else await this.apply({ kind: 'crash' });
    } finally {
      await this.session.dispose();
    }
    return this.outcome();
  }

  /** The run as it stands: its verdict (pass while nothing ended it), history and counters (coverage with its ops and image options). */
  outcome(): RunOutcome {
    const fault = this.eio?.fault;
    const coverage = sumCoverage(this.stats.coverage, runCoverage(this.history, this.settings.options));
    const base = { history: this.history.slice(), stats: { ...this.stats, faultsFired: this.eio?.fired ? 1 : 0, coverage }, ...(fault ? { eio: fault } : {}) };
    if (!this.end) return { ...base, verdict: 'pass' };
    return { ...base, ...this.end };
  }

  /** The I/O-error fault the run armed (or was given), for its case; null without one. */
  get eioFault(): EioFault | null {
    return this.eio?.fault ?? null;
  }

  /** The current segment as recorded so far: what a state of a crash now would be judged with (replay). */
  async recordedCrash(): Promise<RecordedCrash> {
    await this.session.sync();
    return { segmentBase: this.session.segmentBase, storageOps: this.session.ops().slice(), oracle: this.oracle, context: this.crashContext() };
  }

  /**
   * The image as it stands (after a flush or clean close every sector is durable), with what P7
   * needs to judge damage to it; null once the run has ended.
   */
  async cleanImage(): Promise<CleanImage | null> {
    if (this.end) return null;
    await this.session.sync();
    const now = this.session.current();
    const image = MemoryDevice.from(now.read(0, now.sizeBytes));
    const context = { target: this.settings.target, backing: this.session.backing, contentSeed: this.settings.seed };
    return { image, segment: { base: this.session.segmentBase, ops: this.session.ops().slice() }, exp: this.oracle.expectAt(this.session.opCount), context };
  }

  /** A damage run's end: a clean close, then each damage the nemesis draws judged on its own copy. */
  private async damageEnd(): Promise<void> {
    await this.apply({ kind: 'reopen' });
    const clean = await this.cleanImage();
    if (clean === null) return;
    for (const damage of drawDamages(clean.image, clean.segment, this.settings.seed, DAMAGES_PER_RUN)) {
      if (this.settings.shouldAbandon?.()) {
        this.end = { verdict: 'stopped' };
        return;
      }
      const v = await judgeDamage(clean.context, clean.image, damage, clean.exp);
      this.stats.damagedImages++;
      if (v) {
        this.end = { verdict: 'fail', violation: v, crash: null, damage };
        return;
      }
    }
  }

  /** Releases the session without the final crash (after a failure, or a replay). */
  async dispose(): Promise<void> {
    await this.session.dispose();
  }

  private async perform(op: FuzzOp): Promise<void> {
    const image = this.session.image;
    switch (op.kind) {
      case 'write':
        return image.write(op.offsetBytes, writeContent(this.settings.seed, op.writeId, op.offsetBytes, op.lengthBytes));
      case 'write-zeroes':
        return image.writeZeroes(op.offsetBytes, op.lengthBytes, { unmap: op.unmap });
      case 'discard':
        return image.discard(op.offsetBytes, op.lengthBytes);
      case 'flush':
        return image.flush();
      case 'snapshot-create':
        await image.snapshotCreate(op.name);
        return;
      case 'snapshot-apply':
        return image.snapshotApply(op.name);
      case 'snapshot-delete':
        return image.snapshotDelete(op.name);
      case 'resize':
        return image.resize(op.sizeBytes, { shrink: op.sizeBytes < image.virtualSizeBytes });
      case 'reopen':
        return this.session.reopen();
      case 'crash':
        return;
    }
  }

  private lockstep(op: FuzzOp): void {
    const afterFault = this.eio?.faultInSegment === true;
    const stage = `lockstep after op ${this.history.length} (${describeOp(op)})`;
    const found = lockstepCheck({
      source: toByteSource(this.session.current()),
      backing: this.session.backing,
      model: this.model,
      expectation: this.oracle.expectAt(this.session.opCount),
      contentSeed: this.settings.seed,
      lazyRefcounts: this.settings.options.lazyRefcounts,
      closed: op.kind === 'reopen',
      stage,
      leaksAllowed: afterFault,
    });
    const v = afterFault ? this.eio!.judgeLockstep(found, this.session, stage) : found;
    if (v) return this.fail(v, null);
    this.oracle.refreshLastDurablePoint();
  }

  private crashContext(): CrashJudgeContext {
    return { target: this.settings.target, backing: this.session.backing, lazyRefcounts: this.settings.options.lazyRefcounts, contentSeed: this.settings.seed, unknown: { count: 0 }, ...(this.settings.judge ? { judge: this.settings.judge } : {}) };
  }

  /** The nemesis chooses states, the checker judges them, and the run recovers and goes on. */
  private async crash(): Promise<void> {
    const seed = (this.settings.seed + this.crashIndex++) >>> 0;
    const ctx = this.crashContext();
    if (this.settings.judgeCrashes !== false) {
      await this.session.sync();
      const segmentBase = this.session.segmentBase;
      const ops = this.session.ops();
      const plan = chooseCrashStates(segmentBase, ops, this.settings.statesPerCrash, seed);
      const verdict = await judgeCrash(plan, this.oracle, ctx, this.settings.shouldAbandon);
      this.stats = sumStats(this.stats, { ...verdict.stats, coverage: crashCoverage(plan.crashPoints(), verdict.statesByCrashPoint, this.spans) });
      if (verdict.failing) {
        const crash: CrashEvidence = { segmentBase, storageOps: ops.slice(), oracle: this.oracle, context: ctx, state: verdict.failing.state };
        return this.fail(verdict.failing.violation, crash);
      }
    }
    if (this.settings.shouldAbandon?.()) {
      this.end = { verdict: 'stopped' };
      return;
    }
    await this.recoverKilled();
  }

  /** Recovers the image a killed process left (recoverAfterCrash) and starts a new segment on it. */
  private async recoverKilled(): Promise<void> {
    const next = await recoverAfterCrash(this.session, this.oracle, this.crashContext(), this.model);
    this.eio?.segmentRestarted();
    this.spans = [];
    if (next === 'stopped') this.end = { verdict: 'stopped' };
    else if (next) this.fail(next, null);
    else this.oracle = new DurabilityOracle(this.model);
  }

  private fail(violation: Violation, crash: CrashEvidence | null): void {
    this.end = { verdict: 'fail', violation, crash };
  }
}
