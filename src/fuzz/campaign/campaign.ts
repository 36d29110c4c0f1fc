/**
 * runCampaign: a whole `crashcow fuzz` campaign: one master seed, its shard, split over jobs (in
 * process for one job, worker threads for more), each finding saved as a validated case file in
 * the corpus directory (once per engine, property and rule set). Ctrl-C (`stop()`) lets every job
 * finish what it is shrinking and keeps every finding.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FuzzCase } from '../case/fuzz-case.js';
import { writeCase } from '../case/fuzz-case.js';
import { addStats, newRunStats, type RunStats } from '../runner/run-stats.js';
import { makeTarget } from '../target/make-target.js';
import { violationSignature } from '../violation.js';
import type { CampaignSettings } from './campaign-settings.js';
import { runJob } from './fuzz-job.js';
import type { WorkerMessage } from './fuzz-worker.js';

export interface SavedFinding {
  property: string;
  rules: string[];
  caseFile: string;
}

export interface CampaignResult {
  engineVersion: string;
  stats: RunStats;
  findings: SavedFinding[];
}

export interface CampaignHooks {
  corpusDir: string;
  onProgress?: (stats: RunStats) => void;
  onFinding?: (f: SavedFinding) => void;
}

/**
 * The young generation of each job's worker thread. Judging a crash state allocates many
 * short-lived buffers; with a worker's default young generation, scavenges took so much of the
 * time that 2 jobs judged only 1.1x the states of one (`crashcow fuzz --engine builtin --seed 1
 * --time 30 --lazy-refcounts off`: 4836 states/s with 2 jobs, 4303 with 1); with this size,
 * 6782 states/s.
 */
export const JOB_YOUNG_GENERATION_MB = 96;

export class Campaign {
  private stopped = false;
  private readonly workers: Worker[] = [];
  private readonly saved = new Map<string, SavedFinding>();

  constructor(
    readonly settings: CampaignSettings,
    readonly hooks: CampaignHooks,
  ) {}

  /** Stops starting runs; findings being shrunk are still saved. */
  stop(): void {
    this.stopped = true;
    for (const w of this.workers) w.postMessage({ type: 'stop' });
  }

  /** Runs the campaign. @throws Error when the engine cannot be set up (missing qemu-io) */
  async run(): Promise<CampaignResult> {
    const s = this.settings;
    const probe = await makeTarget(s.engine, s.mutants);
    const engineVersion = probe.engineVersion;
    const total = s.plan.jobCount === 1 ? await this.runInProcess(probe) : (await probe.dispose(), await this.runWorkers());
    return { engineVersion, stats: this.withSaved(total), findings: [...this.saved.values()] };
  }

  private async runInProcess(target: Awaited<ReturnType<typeof makeTarget>>): Promise<RunStats> {
    const s = this.settings;
    const stats = newRunStats();
    const timer = setInterval(() => this.hooks.onProgress?.(this.withSaved(stats)), 500);
    try {
      await runJob({ ...s, jobIndex: 0, target, stats, shouldStop: () => this.shouldStop(), onFinding: (c, b) => this.save(c, b) });
    } finally {
      clearInterval(timer);
      await target.dispose();
    }
    return stats;
  }

  private runWorkers(): Promise<RunStats> {
    const s = this.settings;
    const latest: RunStats[] = [];
    const sum = (): RunStats => latest.reduce((acc, x) => (addStats(acc, x), acc), newRunStats());
    const jobs = Array.from({ length: s.plan.jobCount }, (_, jobIndex) => {
      latest.push(newRunStats());
      const w = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: { settings: s, jobIndex }, resourceLimits: { maxYoungGenerationSizeMb: JOB_YOUNG_GENERATION_MB } });
      this.workers.push(w);
      if (this.stopped) w.postMessage({ type: 'stop' });
      return new Promise<void>((resolve, reject) => {
        w.on('message', (m: WorkerMessage) => {
          if (m.type === 'stats') {
            latest[jobIndex] = m.stats;
            this.hooks.onProgress?.(this.withSaved(sum()));
          } else if (m.type === 'finding') this.save(m.case as FuzzCase, m.batchIndex);
          else if (m.type === 'error') reject(new Error(`fuzz job ${jobIndex}: ${m.message}`));
          else if (m.type === 'done') void w.terminate().then(() => resolve());
        });
        w.on('error', reject);
        w.on('exit', () => resolve());
      });
    });
    return Promise.all(jobs).then(sum);
  }

  /** `stats` with `findings` counting the saved cases (two jobs may find the same property and rules: it is saved once). */
  private withSaved(stats: RunStats): RunStats {
    return { ...stats, findings: this.saved.size };
  }

  private shouldStop(): boolean {
    return this.stopped || (this.settings.deadlineMs !== null && Date.now() >= this.settings.deadlineMs);
  }

  /** Saves a finding as a case file unless one with the same signature was saved. */
  private save(c: FuzzCase, batchIndex: number): void {
    const signature = violationSignature(c.violation);
    if (this.saved.has(signature)) return;
    mkdirSync(this.hooks.corpusDir, { recursive: true });
    const file = join(this.hooks.corpusDir, caseFileName(c, this.settings.plan.masterSeed, batchIndex));
    writeCase(file, { ...c, replay: `crashcow replay ${file}` });
    const f = { property: c.violation.property, rules: c.violation.rules, caseFile: file };
    this.saved.set(signature, f);
    this.hooks.onFinding?.(f);
  }
}

/** "builtin-refcount-after-l2-p1-l2-2_rc-6-s1-b0.json" */
export function caseFileName(c: FuzzCase, masterSeed: number, batchIndex: number): string {
  const parts = [c.engine.name, ...c.engine.mutants, c.violation.property, c.violation.rules.join('_') || 'none', `s${masterSeed}`, `b${batchIndex}`];
  return parts.join('-').toLowerCase().replace(/[^a-z0-9_.-]+/g, '-') + '.json';
}
