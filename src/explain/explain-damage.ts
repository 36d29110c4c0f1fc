/**
 * explainDamage: a damage case (P7) told in qcow2 terms: the operations, the damage byte by byte
 * (each patch labelled through spec/explain against the clean image: header fields by name, L1/L2
 * entries with their guest ranges, refcounts by host cluster), each repair the target answers for
 * with its exit code, what it said and its own writes (labelled against the damaged image), and
 * the verdict with its witness. Replays the case; reads images and storage operations only.
 */
import { shortLabel } from '../../spec/explain/short-label.js';
import { readImageMeta } from '../../spec/format/image-meta.js';
import type { StorageOp } from '../../spec/semantics/storage-contract.js';
import { applyDamage, damagedByteCount, fromHex, type Damage } from '../fuzz/damage/damage.js';
import { summarizeCheck } from '../fuzz/oracle/check-summary.js';
import { judgeDamage } from '../fuzz/oracle/damage-judge.js';
import type { CleanImage } from '../fuzz/runner/fuzz-run.js';
import type { RecoveryRun } from '../fuzz/target/fuzz-target.js';
import type { Violation } from '../fuzz/violation.js';
import type { BlockDevice } from '../storage/block-device.js';
import { toByteSource } from '../storage/to-byte-source.js';
import type { ExplainedDamage, ExplainedRecovery, ExplainedVerdict, ExplainedWrite } from './explanation.js';
import { labelSteps } from './labelled-steps.js';
import { sectorWitness } from './sector-witness.js';
import { explainWitness, pickFinding } from './verdict-witness.js';
import { completedFate } from './write-fates.js';

interface DamageExplained {
  damage: ExplainedDamage;
  recoveries: ExplainedRecovery[];
  /** What the replay found (null: every repair kept P7). */
  violation: Violation | null;
  /** The damaged image (what the repairs started from). */
  damaged: BlockDevice;
  /** The image each repair left, by its name. */
  repaired: Map<string, BlockDevice>;
}

/** Null when the clean image does not hold the damage's `before` bytes (the replay diverged). */
export async function explainDamage(clean: CleanImage, damage: Damage): Promise<DamageExplained | null> {
  const damaged = applyDamage(clean.image, damage);
  if (damaged === null) return null;
  const ops = patchOps(damage, clean.image.sizeBytes);
  const writes = labelSteps(clean.image, ops, 0, ops.length).map((s): ExplainedWrite => ({
    index: s.index,
    kind: s.op.kind === 'truncate' ? 'truncate' : 'write',
    offsetBytes: s.op.offsetBytes,
    lengthBytes: s.op.lengthBytes,
    operation: null,
    operationText: `the damage (${damage.kind})`,
    changes: s.changes,
    summary: shortLabel(s.changes),
    fate: completedFate(),
  }));
  const recoveries: ExplainedRecovery[] = [];
  const repaired = new Map<string, BlockDevice>();
  const repairs: ExplainedDamage['repairs'] = [];
  for (const r of clean.context.target.damageRepairers ?? clean.context.target.repairers) {
    const run = await r.repair(damaged);
    recoveries.push(recoveryOf(r.name, damaged, run));
    repaired.set(r.name, run.device);
    repairs.push({ how: r.name, exitCode: run.outcome?.exitCode ?? (run.failure ? null : 0), message: run.outcome?.message ?? run.failure?.message ?? '' });
  }
  const violation = await judgeDamage(clean.context, clean.image, damage, clean.exp);
  const explained: ExplainedDamage = { kind: damage.kind, target: damage.target, where: damage.where, byteCount: damagedByteCount(damage), writes, repairs };
  if (damage.fileSizeBytes !== undefined) explained.fileSizeBytes = damage.fileSizeBytes;
  return { damage: explained, recoveries, violation, damaged, repaired };
}

/** The verdict's witness: the sector tied to the damage's and the repair's writes, or the second check's first finding. */
export function damageWitness(verdict: ExplainedVerdict, e: DamageExplained): void {
  const v = e.violation;
  if (v === null) return;
  const repaired = [...e.repaired].find(([how]) => v.stage.includes(how))?.[1] ?? null;
  if (v.sector) {
    verdict.sector = sectorWitness(v.sector, e.damage.writes, e.recoveries);
    return;
  }
  const finding = repaired === null ? null : pickFinding(summarizeCheck(toByteSource(repaired)).findings, v.rules);
  if (finding) verdict.witness = explainWitness(finding, geometryOf(repaired!), e.damage.writes, e.recoveries);
  else verdict.witness = { rule: v.rules[0] ?? 'P7', where: v.stage, detail: v.summary, text: v.summary, links: [] };
}

/** The damage as storage writes over the clean image (one per patch, then the truncate when the size changed). */
function patchOps(d: Damage, sizeBytes: number): StorageOp[] {
  const ops: StorageOp[] = d.patches.map((p) => {
    const data = fromHex(p.after);
    return { kind: 'write', offsetBytes: p.offsetBytes, lengthBytes: data.length, data, fua: false, sizeBytesAfter: sizeBytes };
  });
  if (d.fileSizeBytes !== undefined) ops.push({ kind: 'truncate', offsetBytes: d.fileSizeBytes, lengthBytes: 0, fua: false, sizeBytesAfter: d.fileSizeBytes });
  return ops;
}

function recoveryOf(how: string, start: BlockDevice, run: RecoveryRun): ExplainedRecovery {
  const steps = labelSteps(start, run.ops, 0, run.ops.length);
  const out: ExplainedRecovery = {
    how,
    writes: steps.map((s) => ({ index: s.index, kind: s.op.kind === 'flush' ? 'write' : s.op.kind, offsetBytes: s.op.offsetBytes, lengthBytes: s.op.lengthBytes, operation: null, operationText: how, changes: s.changes, summary: shortLabel(s.changes), fate: completedFate() })),
  };
  if (run.failure) out.failure = run.failure.message;
  return out;
}

function geometryOf(device: BlockDevice): { clusterSizeBytes: number; l2EntrySizeBytes: number } | null {
  try {
    return readImageMeta(toByteSource(device)).geometry;
  } catch {
    return null;
  }
}
