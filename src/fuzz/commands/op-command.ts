/**
 * OpCommand: a fast-check model-based command that turns its generated parameters into FuzzOps
 * when it runs (offsets and names depend on the image at that moment) and applies them to the
 * FuzzRun, which is both fast-check's model (for preconditions) and the real system.
 */
import type fc from 'fast-check';
import type { FuzzOp } from '../model/fuzz-op.js';
import type { FuzzRun } from '../runner/fuzz-run.js';

export abstract class OpCommand implements fc.AsyncCommand<FuzzRun, FuzzRun> {
  /** The ops it applied, for toString (fast-check prints counterexamples with it). */
  protected applied: FuzzOp[] = [];

  /** Whether the command can run on the image as it is now (never changes the run). */
  check(run: Readonly<FuzzRun>): boolean {
    return !run.stopped && this.allowed(run);
  }

  async run(_model: FuzzRun, run: FuzzRun): Promise<void> {
    this.applied = [];
    for (const op of this.ops(run)) {
      this.applied.push(op);
      await run.apply(op);
    }
  }

  toString(): string {
    return this.applied.length > 0 ? this.applied.map((o) => JSON.stringify(o)).join('; ') : this.describe();
  }

  protected allowed(_run: Readonly<FuzzRun>): boolean {
    return true;
  }

  /** The ops to apply now (write ids and names taken from the run). */
  protected abstract ops(run: FuzzRun): FuzzOp[];

  /** The command before it ran. */
  protected abstract describe(): string;
}
