/**
 * finalizeFailure: turns a batch's failing run outcome (fast-check's shrunk counterexample) into a
 * case (recorded as failing on the target's version). For a crash-state failure the state the run recorded is shrunk (shrinkSurvivors), judged
 * against the same recorded crash: no engine workload runs again. The case records the engine, the
 * image, the operations, the state id with its surviving, torn and dropped writes, the violation
 * and the seeds. A lockstep failure (no crash state) is recorded as it is.
 */
import { versionKeyOf } from '../case/case-expectations.js';
import type { CaseCrash, CaseFault, FuzzCase } from '../case/fuzz-case.js';
import { evidenceJudge, type CrashEvidence } from '../runner/crash-evidence.js';
import { shrinkSurvivors } from '../shrink/shrink-survivors.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import type { BatchFailure } from './property-batch.js';

interface FinalizeConfig {
  target: FuzzTarget;
  mutants: readonly string[];
  statesPerCrash: number;
  campaignSeed: number;
}

/** The case of a failure; `replay` is filled in by whoever saves it. */
export async function finalizeFailure(failure: BatchFailure, cfg: FinalizeConfig): Promise<FuzzCase> {
  const { outcome } = failure;
  const versionLine = cfg.target.qemuBinaries?.versionLine;
  const base: FuzzCase = {
    schemaVersion: 1,
    engine: { name: cfg.target.engineName, version: cfg.target.engineVersion, ...(versionLine ? { versionLine } : {}), mutants: [...cfg.mutants] },
    image: failure.options,
    contentSeed: failure.contentSeed,
    statesPerCrash: cfg.statesPerCrash,
    operations: [...outcome.history],
    crash: null,
    violation: outcome.violation,
    seed: { campaign: cfg.campaignSeed >>> 0, fastCheck: failure.fastCheckSeed, path: failure.path },
    replay: '',
    expectations: { [versionKeyOf(cfg.target.engineVersion)]: 'fails' },
    fault: outcome.damage ? { kind: 'damage', damage: outcome.damage } : outcome.eio ? outcome.eio : ({ kind: failure.fault ?? 'power' } as CaseFault),
  };
  if (!outcome.crash) return base;
  const shrunk = await shrinkRecordedState(outcome.crash, outcome.violation);
  return { ...base, violation: shrunk.violation, crash: caseCrashOf(outcome.crash, shrunk.state) };
}

/** shrinkSurvivors over the recorded crash; the violation's stage names the state it ends on. */
async function shrinkRecordedState(crash: CrashEvidence, violation: Violation): Promise<{ state: CrashEvidence['state']; violation: Violation }> {
  const shrunk = await shrinkSurvivors(crash.state, violation, evidenceJudge(crash));
  if (shrunk.state === crash.state) return { state: crash.state, violation };
  return { state: shrunk.state, violation: { ...shrunk.violation, stage: `crash state ${shrunk.state.id}, ${shrunk.violation.stage}` } };
}

function caseCrashOf(crash: CrashEvidence, state: CrashEvidence['state']): CaseCrash {
  const summary = state.summarize();
  return { stateId: state.id, crashPoint: state.crashPoint, storageOpCount: crash.storageOps.length, survivingOps: summary.survivingOps, tornOps: summary.tornOps, droppedOps: summary.droppedOps };
}
