/**
 * FuzzRun: one run of the lockstep fuzzer (the "real" side of fast-check's model-based run). It
 * applies each FuzzOp to the engine and to the model, records which storage operations each op
 * made (the history), checks the image against the model after every flush and close (lockstep),
 * and at a crash judges every crash state with every property. A broken property ends the run with
 * a PropertyFailure carrying the violation and, for crash states, the state to shrink.
 */
import { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { writeContent } from '../content/content-tag.js';
import type { FuzzImageOptions } from '../image-options.js';
import { DurabilityOracle } from '../model/durability-oracle.js';
import { describeOp, isBarrier, type FuzzOp } from '../model/fuzz-op.js';
import { GuestModel } from '../model/guest-model.js';
import { CrashStateJudge } from '../oracle/crash-state-judge.js';
import type { CrashJudgeContext } from '../oracle/judge-crash-state.js';
import { failureOf } from '../target/failure-of.js';
import type { FuzzSession, FuzzTarget } from '../target/fuzz-target.js';
import { PropertyFailure, type Violation } from '../violation.js';
import { continueAfterCrash, judgeCrashStates, type CrashFinding } from './crash-nemesis.js';
import { lockstepCheck } from './lockstep.js';
import type { RunStats } from './run-stats.js';

export interface FuzzRunSettings {
  target: FuzzTarget;
  options: FuzzImageOptions;
  /** Seed of the written content and of crash-state sampling. */
  seed: number;
  /** Crash states judged per crash, at most. */
  statesPerCrash: number;
  /** False to go through crashes without judging their states (replaying up to a known state). */
  judgeCrashes?: boolean;
  /**
   * Checked between crash states and ops: true ends the run where it is, as passing (a campaign's
   * deadline or Ctrl-C; without it a long run would overrun `--time` by its whole length).
   */
  shouldAbandon?: () => boolean;
  stats: RunStats;
}

export class FuzzRun {
  readonly model: GuestModel;
  /** Every op applied so far, with the write ids it was given. */
  readonly history: FuzzOp[] = [];
  /** Set when the run ended on a crash state that broke a property. */
  crashFinding: CrashFinding | null = null;
  /** True once the run cannot go on (a crash it cannot recover from here). */
  stopped = false;
  private session!: FuzzSession;
  private oracle!: DurabilityOracle;
  private nextWriteId = 1;
  private nextSnapshotIndex = 1;
  private crashIndex = 0;

  private constructor(readonly settings: FuzzRunSettings) {
    const o = settings.options;
    this.model = new GuestModel({ virtualSizeBytes: o.virtualSizeBytes, clusterSizeBytes: o.clusterSizeBytes, backingSizeBytes: o.backing ? Math.min(o.backing.sizeBytes, o.virtualSizeBytes) : 0 });
  }

  /** Creates the image and opens it. */
  static async start(settings: FuzzRunSettings): Promise<FuzzRun> {
    const run = new FuzzRun(settings);
    run.session = await settings.target.startSession(settings.options, settings.seed);
    run.oracle = new DurabilityOracle(run.model);
    return run;
  }

  /** A fresh write id (write ids start at 1; 0 is the backing file). */
  takeWriteId(): number {
    return this.nextWriteId++;
  }

  /** A fresh snapshot name. */
  takeSnapshotName(): string {
    return `s${this.nextSnapshotIndex++}`;
  }

  /**
   * Applies one op (write ids and names already filled in) to the engine and the model.
   * @throws PropertyFailure when a property breaks
   */
  async apply(op: FuzzOp): Promise<void> {
    if (this.settings.shouldAbandon?.()) this.stopped = true;
    if (this.stopped) return;
    this.history.push(op);
    this.settings.stats.ops++;
    if (op.kind === 'crash') return this.crash();
    const startOp = this.session.opCount;
    try {
      await this.perform(op);
    } catch (err) {
      const f = failureOf(err);
      this.fail({ property: 'LOCKSTEP', rules: [f.rule ?? 'ENGINE-THROW'], summary: `${describeOp(op)} failed: ${f.message}`, stage: `op ${this.history.length}`, expected: 'the op succeeds', actual: f.message });
    }
    await this.session.sync();
    this.oracle.record(op, this.model.apply(op), startOp, this.session.opCount);
    if (isBarrier(op)) this.lockstep(op);
  }

  /** Ends the run with a final crash, judged like any other (recorded as an op), then releases it. */
  async finish(): Promise<void> {
    try {
      await this.apply({ kind: 'crash' });
    } finally {
      await this.session.dispose();
    }
  }

  /**
   * Judges one crash state of the current segment, named by its id (replay and shrinking), and
   * returns it with its violation and a judge for more states of the same crash.
   * @throws FormatError (STATE-ID) when the id names no state of this segment
   */
  async judgeStateById(stateId: string): Promise<{ state: CrashState; violation: Violation | null; judge: (s: CrashState) => Promise<Violation | null>; storageOpCount: number }> {
    await this.session.sync();
    const plan = new CrashPlan(this.session.segmentBase, this.session.ops(), { maxStates: this.settings.statesPerCrash });
    const state = plan.rebuild(stateId);
    const judge = new CrashStateJudge(this.crashContext());
    const judgeOne = (s: CrashState): Promise<Violation | null> => judge.judge(s, this.oracle.expectAt(s.crashPoint));
    return { state, violation: await judgeOne(state), judge: judgeOne, storageOpCount: this.session.opCount };
  }

  /** Releases the session without the final crash (after a failure). */
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
    const v = lockstepCheck({
      source: toByteSource(this.session.current()),
      backing: this.session.backing,
      model: this.model,
      expectation: this.oracle.expectAt(this.session.opCount),
      contentSeed: this.settings.seed,
      lazyRefcounts: this.settings.options.lazyRefcounts,
      closed: op.kind === 'reopen',
      stage: `lockstep after op ${this.history.length} (${describeOp(op)})`,
    });
    if (v) this.fail(v);
    this.oracle.refreshLastDurablePoint();
  }

  private crashContext(): CrashJudgeContext {
    return { target: this.settings.target, backing: this.session.backing, lazyRefcounts: this.settings.options.lazyRefcounts, contentSeed: this.settings.seed, unknown: { count: 0 } };
  }

  private async crash(): Promise<void> {
    const input = { session: this.session, oracle: this.oracle, ctx: this.crashContext(), maxStates: this.settings.statesPerCrash, seed: (this.settings.seed + this.crashIndex++) >>> 0, stats: this.settings.stats, shouldAbandon: this.settings.shouldAbandon };
    const found = this.settings.judgeCrashes === false ? null : await judgeCrashStates(input);
    if (found) {
      this.crashFinding = found;
      this.fail(found.violation);
    }
    if (this.settings.shouldAbandon?.()) {
      this.stopped = true;
      return;
    }
    const next = await continueAfterCrash(input, this.model);
    if (next === 'stopped') this.stopped = true;
    else if (next) this.fail(next);
    else this.oracle = new DurabilityOracle(this.model);
  }

  private fail(v: Violation): never {
    throw new PropertyFailure(v);
  }
}
