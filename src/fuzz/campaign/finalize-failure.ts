/**
 * finalizeFailure: turns fast-check's shrunk failing run into a case: the run is replayed up to its
 * failing crash, the crash state is shrunk (shrinkSurvivors), and the case records the engine, the
 * image, the operations, the state id with its surviving, torn and dropped writes, the violation
 * and the seeds. A lockstep failure (no crash state) is recorded as it is.
 */
import type { FuzzCase } from '../case/fuzz-case.js';
import { FuzzRun } from '../runner/fuzz-run.js';
import { newRunStats } from '../runner/run-stats.js';
import { shrinkSurvivors } from '../shrink/shrink-survivors.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import type { RawFailure } from './property-batch.js';

export interface FinalizeConfig {
  target: FuzzTarget;
  mutants: readonly string[];
  statesPerCrash: number;
  campaignSeed: number;
}

/** The case of a failure; `replayCommand` is filled in by whoever saves it. */
export async function finalizeFailure(raw: RawFailure, cfg: FinalizeConfig): Promise<FuzzCase> {
  const base: FuzzCase = {
    schemaVersion: 1,
    engine: { name: cfg.target.engineName, version: cfg.target.engineVersion, mutants: [...cfg.mutants] },
    image: raw.options,
    contentSeed: raw.contentSeed,
    statesPerCrash: cfg.statesPerCrash,
    operations: raw.history,
    crash: null,
    violation: raw.violation,
    seed: { campaign: cfg.campaignSeed >>> 0, fastCheck: raw.fastCheckSeed, path: raw.path },
    replay: '',
    expectation: 'fails',
  };
  if (raw.stateId === null) return base;
  const run = await FuzzRun.start({ target: cfg.target, options: raw.options, seed: raw.contentSeed, statesPerCrash: cfg.statesPerCrash, judgeCrashes: false, stats: newRunStats() });
  try {
    for (const op of raw.history.slice(0, -1)) await run.apply(op);
    const judged = await run.judgeStateById(raw.stateId);
    let state = judged.state;
    let violation = raw.violation;
    if (judged.violation?.property === raw.violation.property) {
      const shrunk = await shrinkSurvivors(judged.state, judged.violation, judged.judge);
      state = shrunk.state;
      violation = { ...shrunk.violation, stage: `crash state ${shrunk.state.id}, ${shrunk.violation.stage}` };
    }
    const summary = state.summarize();
    return {
      ...base,
      violation,
      crash: { stateId: state.id, crashPoint: state.crashPoint, storageOpCount: judged.storageOpCount, survivingOps: summary.survivingOps, tornOps: summary.tornOps, droppedOps: summary.droppedOps },
    };
  } finally {
    await run.dispose();
  }
}
