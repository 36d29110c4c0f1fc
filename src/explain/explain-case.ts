/**
 * explainCase: a case told in a qcow2 maintainer's terms. Replays the case to its crash state
 * (replayToState: the engine runs again, so a diverged replay is a value here too), labels every
 * write of the crash epoch through spec/explain against the image at the last flush and after each
 * write, gives each its fate in the crash state, judges the state again, runs the recovery the
 * verdict speaks of again to tell its writes, and ties the checker's witness to those writes.
 * Reads the engine's storage operations and images only; never the engine's internals.
 */
import { shortLabel } from '../../spec/explain/short-label.js';
import { readImageMeta } from '../../spec/format/image-meta.js';
import type { StorageOp } from '../../spec/semantics/storage-contract.js';
import { caseDamage, caseEio, type FuzzCase } from '../fuzz/case/fuzz-case.js';
import { damageWitness, explainDamage } from './explain-damage.js';
import { replayToState } from '../fuzz/case/replay-to-state.js';
import { describeImageOptions } from '../fuzz/image-options.js';
import { describeEioFault } from '../fuzz/nemesis/eio-fault.js';
import { summarizeCheck } from '../fuzz/oracle/check-summary.js';
import { evidenceJudge } from '../fuzz/runner/crash-evidence.js';
import type { FuzzTarget, RecoveryRun } from '../fuzz/target/fuzz-target.js';
import type { Violation } from '../fuzz/violation.js';
import type { BlockDevice } from '../storage/block-device.js';
import { toByteSource } from '../storage/to-byte-source.js';
import { caseOperations } from './case-operations.js';
import type { ExplainedOperation, ExplainedRecovery, ExplainedVerdict, ExplainedWrite, Explanation, WriteFate } from './explanation.js';
import { labelSteps, type LabelledStep } from './labelled-steps.js';
import { replayRecovery } from './recovery-replay.js';
import { sectorWitness } from './sector-witness.js';
import { explainWitness, pickFinding } from './verdict-witness.js';
import { completedFate, writeFates } from './write-fates.js';

/** `crashState`: the image of the crash state the explanation is about (a damage case: the damaged image; null when the run broke before any crash). */
export type ExplainResult = { kind: 'explained'; explanation: Explanation; crashState: BlockDevice | null } | { kind: 'diverged'; reason: string };

/** @throws InvalidCaseError when the case's crash does not fit its operations (as replay does) */
export async function explainCase(c: FuzzCase, target: FuzzTarget, path: string): Promise<ExplainResult> {
  const r = await replayToState(c, target, path);
  if (r.kind === 'diverged') return r;
  const head = { schemaVersion: 1 as const, case: caseHead(c, path) };
  if (r.kind === 'damage') {
    const e = await explainDamage(r.clean, caseDamage(c)!);
    if (e === null) return { kind: 'diverged', reason: `the image after the operations does not hold the bytes the damage (${caseDamage(c)!.where}) records as before it` };
    const verdict = verdictOf(c, e.violation);
    damageWitness(verdict, e);
    // Every operation of a damage case completed: its last one is the clean close the damage follows.
    const operations = caseOperations(c.operations, [], null).operations.map((op) => (op.mark === 'not-started' ? { ...op, mark: 'flushed' as const } : op));
    return { kind: 'explained', explanation: { ...head, crash: null, operations, writes: [], recoveries: e.recoveries, verdict, damage: e.damage }, crashState: e.damaged };
  }
  if (r.kind === 'ended') {
    const v = r.outcome.verdict === 'fail' ? r.outcome.violation : null;
    const ops = withFault(caseOperations(c.operations, [], null).operations, c);
    return { kind: 'explained', explanation: { ...head, crash: null, operations: ops, writes: [], recoveries: [], verdict: verdictOf(c, v) }, crashState: null };
  }
  const { crash } = r;
  const state = crash.state;
  const model = state.model;
  const ops = caseOperations(c.operations, crash.oracle.entries, { crashPoint: model.crashPoint, lastFlushIndex: model.lastFlushIndex, stateId: state.id });
  const fates = writeFates(state);
  const steps = labelSteps(model.durable, crash.storageOps, model.lastFlushIndex + 1, model.crashPoint);
  const writes = steps.map((s) => explainedWrite(s, ops.issuerOf(s.index), fates.get(s.index) ?? truncateFate(s.op, state.sizeBytes)));
  const violation = await evidenceJudge(crash)(state);
  const verdict = verdictOf(c, violation);
  const recoveries: ExplainedRecovery[] = [];
  let judged: BlockDevice = state.view();
  let failure: string | undefined;
  const rec = violation ? await replayRecovery(crash.context, state.view(), violation.stage) : null;
  if (rec) {
    const first = recoveryOf(rec.how, state.view(), rec.run);
    if (rec.inner) {
      const innerFates = writeFates(rec.inner.state);
      first.writes = first.writes.filter((w) => w.index < rec.inner!.state.crashPoint).map((w) => ({ ...w, fate: innerFates.get(w.index) ?? w.fate }));
      first.crashStateId = rec.inner.state.id;
      recoveries.push(first, recoveryOf(`${rec.how} again`, rec.inner.state.view(), rec.inner.again));
      judged = rec.inner.again.device;
      failure = rec.inner.again.failure?.message;
    } else {
      recoveries.push(first);
      judged = rec.run.device;
      failure = rec.run.failure?.message;
    }
  }
  if (violation?.sector) verdict.sector = sectorWitness(violation.sector, writes, recoveries);
  else if (violation) {
    const finding = failure === undefined ? pickFinding(summarizeCheck(toByteSource(judged)).findings, violation.rules) : null;
    if (finding) verdict.witness = explainWitness(finding, geometryOf(judged), writes, recoveries);
    else if (failure !== undefined) verdict.witness = { rule: violation.rules[0] ?? 'P3', where: rec?.how ?? 'recovery', detail: failure, text: `${rec?.how ?? 'the recovery'} failed: ${failure}`, links: [] };
  }
  const crashHead = { stateId: state.id, crashPoint: model.crashPoint, lastFlushIndex: model.lastFlushIndex, storageOpCount: crash.storageOps.length, stateSizeBytes: state.sizeBytes };
  return { kind: 'explained', explanation: { ...head, crash: crashHead, operations: withFault(ops.operations, c), writes, recoveries, verdict }, crashState: state.view() };
}

/** The operations with the one a fault is armed at saying so. */
function withFault(ops: ExplainedOperation[], c: FuzzCase): ExplainedOperation[] {
  const f = caseEio(c);
  if (f === null) return ops;
  return ops.map((op) => (op.number === f.op + 1 ? { ...op, text: `${op.text} [I/O-error fault armed here: ${f.errno} ${f.mode}]` } : op));
}

function caseHead(c: FuzzCase, path: string): Explanation['case'] {
  const out: Explanation['case'] = { path, engine: c.engine.name, engineVersion: c.engine.version, mutants: c.engine.mutants, image: describeImageOptions(c.image) };
  if (c.name !== undefined) out.name = c.name;
  const eio = caseEio(c);
  if (eio !== null) out.fault = describeEioFault(eio);
  return out;
}

function verdictOf(c: FuzzCase, v: Violation | null): ExplainedVerdict {
  return {
    reproduces: v?.property === c.violation.property,
    recorded: { property: c.violation.property, rules: c.violation.rules, summary: c.violation.summary },
    found: v ? { property: v.property, rules: v.rules, summary: v.summary, stage: v.stage } : null,
  };
}

function explainedWrite(s: LabelledStep, issuer: number | null, fate: WriteFate): ExplainedWrite {
  const kind = s.op.kind === 'flush' ? 'write' : s.op.kind;
  const operationText = issuer === null ? 'no operation of the case (the session opening the image)' : `operation ${issuer}`;
  return { index: s.index, kind, offsetBytes: s.op.offsetBytes, lengthBytes: s.op.lengthBytes, operation: issuer, operationText, changes: s.changes, summary: shortLabel(s.changes), fate };
}

function recoveryOf(how: string, start: BlockDevice, run: RecoveryRun): ExplainedRecovery {
  const steps = labelSteps(start, run.ops, 0, run.ops.length);
  const out: ExplainedRecovery = { how, writes: steps.map((s) => ({ ...explainedWrite(s, null, completedFate()), operationText: how })) };
  if (run.failure) out.failure = run.failure.message;
  return out;
}

/** A truncate's fate: kept when the state has the size it left. */
function truncateFate(op: StorageOp, stateSizeBytes: number): WriteFate {
  return { fate: stateSizeBytes === op.sizeBytesAfter ? 'kept' : 'dropped', sectorCount: 0, sectorsLanded: 0 };
}

function geometryOf(device: BlockDevice): { clusterSizeBytes: number; l2EntrySizeBytes: number } | null {
  try {
    return readImageMeta(toByteSource(device)).geometry;
  } catch {
    return null;
  }
}
