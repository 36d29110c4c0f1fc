/**
 * The worker-thread side of `crashcow fuzz --jobs N`: runs one job of the campaign with the
 * campaign's settings as they are, and reports its counters (every half second and at the end)
 * and every finding to the main thread, which decides what is new and saves it. It keeps a replica
 * of the campaign's knowledge (its own findings and the signatures the main thread sends) to pass
 * over known failures. Stops starting runs when the main thread says stop or the deadline passes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { newRunStats, type RunStats } from '../runner/run-stats.js';
import { makeTarget } from '../target/make-target.js';
import type { BatchRecord } from './batch-record.js';
import { CampaignKnowledge } from './campaign-knowledge.js';
import { deadlinePassed, type CampaignSettings } from './campaign-settings.js';
import { runJob } from './fuzz-job.js';
import type { FuzzFinding } from './fuzz-finding.js';

/** Worker to main thread. */
export type WorkerMessage =
  | { type: 'stats'; stats: RunStats }
  | { type: 'finding'; finding: FuzzFinding }
  | { type: 'batch'; batch: BatchRecord }
  | { type: 'done'; stats: RunStats }
  | { type: 'error'; message: string };

/** Main thread to worker. */
export type CampaignMessage = { type: 'stop' } | { type: 'known'; signatures: string[] };

const { settings, jobIndex } = workerData as { settings: CampaignSettings; jobIndex: number };
const port = parentPort!;
const knowledge = new CampaignKnowledge(settings.known);
let stopped = false;
port.on('message', (m: CampaignMessage) => {
  if (m.type === 'stop') stopped = true;
  else if (m.type === 'known') knowledge.learn(m.signatures);
});

let latest = newRunStats();
const post = (m: WorkerMessage): void => port.postMessage(m);
const timer = setInterval(() => post({ type: 'stats', stats: latest }), 500);
const target = await makeTarget(settings.engine, settings.mutants, settings.qemu);
try {
  latest = await runJob(settings, {
    jobIndex,
    target,
    shouldStop: () => stopped || deadlinePassed(settings),
    isKnown: (s) => knowledge.has(s),
    onProgress: (stats) => void (latest = stats),
    onBatch: (batch) => post({ type: 'batch', batch }),
    onFinding: (finding) => {
      knowledge.learn(finding.signatures);
      post({ type: 'finding', finding });
    },
  });
} catch (err) {
  post({ type: 'error', message: (err as Error)?.stack ?? String(err) });
} finally {
  clearInterval(timer);
  await target.dispose();
  post({ type: 'done', stats: latest });
  port.close();
}
