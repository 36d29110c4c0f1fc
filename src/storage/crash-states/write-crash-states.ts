import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentDigest } from '../content-digest.js';
import { writeImageFile } from '../image-file.js';
import type { CrashPlan } from './crash-plan.js';
import { EntryMap, type CrashStatesIndex } from './crash-states-index.js';

interface WriteCrashStatesOptions {
  plan: CrashPlan;
  outDir: string;
  /** Log entry of each operation, and the log's entry count (for index.json). */
  entryIndexOfOp: readonly number[];
  entryCount: number;
  /** Recorded in index.json as given. */
  logPath: string;
  imagePath: string;
  /** Extension of the image files, with its dot (e.g. ".qcow2"). */
  extension: string;
  /** Called after every state written, with the count so far. */
  progress?: (written: number, total: number) => void;
}

/**
 * Writes each crash state of a plan as an image file in `outDir` (created if missing), skipping
 * states whose bytes equal an earlier one (crash points overlap), and an index.json describing
 * them. Returns the index.
 * @throws the OS error when a file cannot be written
 */
export function writeCrashStates(opts: WriteCrashStatesOptions): CrashStatesIndex {
  const { plan } = opts;
  mkdirSync(opts.outDir, { recursive: true });
  const entries = new EntryMap(opts.entryIndexOfOp, opts.entryCount);
  const pointPlans = plan.pointPlans();
  const total = pointPlans.reduce((n, p) => n + p.budget, 0);
  const index: CrashStatesIndex = {
    schemaVersion: 1,
    log: opts.logPath,
    image: opts.imagePath,
    mode: plan.mode,
    seed: plan.seed,
    maxStates: plan.maxStates,
    sectorSizeBytes: plan.sectorSizeBytes,
    logEntryCount: opts.entryCount,
    operationCount: plan.ops.length,
    crashPoints: pointPlans.map((p) => entries.pointEntry(p)),
    states: [],
    duplicatesSkipped: 0,
  };
  const seen = new Set<string>();
  let visited = 0;
  for (const point of pointPlans) {
    if (point.budget === 0) continue;
    for (const state of plan.statesAt(point.crashPoint, point.budget)) {
      visited++;
      const view = state.view();
      const digest = contentDigest(view);
      if (seen.has(digest)) {
        index.duplicatesSkipped++;
        continue;
      }
      seen.add(digest);
      const file = `state-${String(index.states.length + 1).padStart(5, '0')}${opts.extension}`;
      writeImageFile(join(opts.outDir, file), view);
      index.states.push(entries.stateEntry(state, file));
      opts.progress?.(visited, total);
    }
  }
  writeFileSync(join(opts.outDir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  return index;
}
