/**
 * The worker-thread side of `crashcow fuzz --jobs N`: runs one job of the campaign and reports
 * stats (every half second and at the end) and findings to the main thread, which saves them.
 * Stops starting runs when the main thread says stop or the deadline passes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { newRunStats } from '../runner/run-stats.js';
import { makeTarget } from '../target/make-target.js';
import type { CampaignSettings } from './campaign-settings.js';
import { runJob } from './fuzz-job.js';

export type WorkerMessage =
  | { type: 'stats'; stats: ReturnType<typeof newRunStats> }
  | { type: 'finding'; case: unknown; batchIndex: number }
  | { type: 'done' }
  | { type: 'error'; message: string };

const { settings, jobIndex } = workerData as { settings: CampaignSettings; jobIndex: number };
const port = parentPort!;
let stopped = false;
port.on('message', (m: { type: string }) => {
  if (m.type === 'stop') stopped = true;
});

const stats = newRunStats();
const post = (m: WorkerMessage): void => port.postMessage(m);
const timer = setInterval(() => post({ type: 'stats', stats }), 500);
const target = await makeTarget(settings.engine, settings.mutants);
try {
  await runJob({
    plan: settings.plan,
    jobIndex,
    target,
    mutants: settings.mutants,
    fixed: settings.fixed,
    statesPerCrash: settings.statesPerCrash,
    maxCommands: settings.maxCommands,
    shrink: settings.shrink,
    known: settings.known,
    stats,
    shouldStop: () => stopped || (settings.deadlineMs !== null && Date.now() >= settings.deadlineMs),
    onFinding: (c, batchIndex) => post({ type: 'finding', case: c, batchIndex }),
  });
} catch (err) {
  post({ type: 'error', message: (err as Error)?.stack ?? String(err) });
} finally {
  clearInterval(timer);
  await target.dispose();
  post({ type: 'stats', stats });
  post({ type: 'done' });
  port.close();
}
