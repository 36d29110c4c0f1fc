/**
 * recoverAfterCrash: the run's step after a crash whose states were judged: it goes on from the
 * state a killed process leaves (everything it wrote landed, its caches lost), recovered through
 * the target's engine; frees the clusters the crash leaked (crashcow's `check -r leaks`, as a user
 * would run after a crash: the engine's open keeps leaks, and the lockstep after the next close
 * demands a clean image); resolves the model to what the recovered image holds; and starts a new
 * segment of the session.
 */
import { checkImage } from '../../check/check-image.js';
import { repairImage } from '../../repair/repair-image.js';
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import type { DurabilityOracle } from '../model/durability-oracle.js';
import type { GuestModel } from '../model/guest-model.js';
import { summarizeCheck } from '../oracle/check-summary.js';
import type { CrashJudgeContext } from '../oracle/judge-crash-state.js';
import { judgeData } from '../oracle/judge-data.js';
import { snapshotEntriesOf } from '../spec-view.js';
import type { FuzzSession } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';

/**
 * Recovers the killed-process state of `session` and restarts the session on it. Returns a
 * violation when the recovered image breaks P3 or P4, 'stopped' when it cannot be recovered here
 * (a dirty image without a repair), or null when the run goes on (with a fresh oracle).
 */
export async function recoverAfterCrash(session: FuzzSession, oracle: DurabilityOracle, ctx: CrashJudgeContext, model: GuestModel): Promise<Violation | null | 'stopped'> {
  const run = await ctx.target.recover(session.current(), ctx.backing);
  if (run.failure?.unsupported) return 'stopped';
  const stage = 'recovery of the killed-process state';
  if (run.failure) return { property: 'P3', rules: [run.failure.rule ?? 'REP-2'], summary: `recovery failed: ${run.failure.message}`, stage, expected: 'recovery succeeds', actual: run.failure.message };
  const source = toByteSource(run.device);
  const exp = oracle.expectAt(session.opCount);
  const observed = new Map<number, string>();
  const v = judgeData(source, ctx.backing, exp, ctx.contentSeed, stage, observed);
  if (v) return v;
  for (const [sector, value] of observed) model.resolve(sector, value);
  const layerSize = sizeOf(source);
  if (layerSize !== null) model.virtualSizeBytes = layerSize;
  const present = new Set(snapshotEntriesOf(source).map((e) => e.name));
  for (const name of [...model.snapshots.keys()]) if (!present.has(name)) model.snapshots.delete(name);
  for (const [name, snap] of exp.optionalSnapshots) if (present.has(name)) model.snapshots.set(name, snap);
  const left = summarizeCheck(source);
  // A harmless COPIED mismatch (flag clear on a cluster referenced once) is left by a process killed
  // inside a snapshot operation (an injected I/O error ends the process there): `-r leaks` fixes it
  // along with the leaks, as qemu-img's does once no other error remains.
  const copiedOnly = left.report.corruptions > 0 && left.harmfulCorruptionRules.length === 0 && left.report['check-errors'] === 0;
  if (left.report.leaks > 0 || copiedOnly) repairImage(run.device, 'leaks', checkImage);
  await session.restart(run.device);
  return null;
}

/** The virtual size a qcow2 header records (bytes 24..31), or null for a file too short to hold it. */
function sizeOf(source: ByteSource): number | null {
  const head = source.read(24, 8);
  if (head.length < 8) return null;
  return Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0));
}
