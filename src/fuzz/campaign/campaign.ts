/**
 * Campaign: a whole `crashcow fuzz` campaign: one master seed, its shard, split over jobs (in
 * process for one job, worker threads for more). Jobs report every finding; the campaign alone
 * decides which are new (CampaignKnowledge: `--known` signatures and every finding so far) and
 * saves each new one as a validated case file in the corpus directory (once per engine, property
 * and rule set). Its counters are the sum of its jobs'. Ctrl-C (`stop()`) lets every job finish
 * what it is shrinking and keeps every finding. With a baseline, each saved finding is then replayed
 * on it and classed (classifyCase), here in the main thread whatever the number of jobs, one at a
 * time; the campaign ends once every finding is classed. With `maxFindings`, it stops once that
 * many are saved.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import type { Baseline, FindingClass } from '../baseline/baseline.js';
import { classifyCase } from '../baseline/classify-case.js';
import type { FuzzCase } from '../case/fuzz-case.js';
import { writeCase } from '../case/fuzz-case.js';
import { newRunStats, sumStats, type RunStats } from '../runner/run-stats.js';
import { makeTarget } from '../target/make-target.js';
import type { BatchRecord } from './batch-record.js';
import { CampaignKnowledge } from './campaign-knowledge.js';
import { deadlinePassed, type CampaignSettings } from './campaign-settings.js';
import type { FuzzFinding } from './fuzz-finding.js';
import { runJob } from './fuzz-job.js';
import type { CampaignMessage, WorkerMessage } from './fuzz-worker.js';

export interface SavedFinding {
  property: string;
  rules: string[];
  caseFile: string;
  /** Its class against the baseline (campaigns with a baseline only). */
  class?: FindingClass;
  /** What the replay on the baseline did, in one line (with `class`). */
  baselineDetail?: string;
}

export interface CampaignResult {
  engineVersion: string;
  /** The QEMU binaries the campaign ran, with their version line (QEMU campaigns only). */
  qemu?: QemuBinaries;
  stats: RunStats;
  findings: SavedFinding[];
  /** The batches the campaign ran, by index. */
  batches: BatchRecord[];
}

interface CampaignHooks {
  corpusDir: string;
  /** The engine each saved finding is classed against; none: findings have no class. */
  baseline?: Baseline;
  onProgress?: (stats: RunStats) => void;
  /** Called once a finding is saved and, with a baseline, classed. */
  onFinding?: (f: SavedFinding) => void;
}

/**
 * The young generation of each job's worker thread. Judging a crash state allocates many
 * short-lived buffers; a worker's default young generation makes scavenges take much of a job's
 * time (`npm run bench:fuzz` shows the effect of changing it).
 */
const JOB_YOUNG_GENERATION_MB = 96;

export class Campaign {
  private stopped = false;
  private readonly workers: Worker[] = [];
  private readonly saved: SavedFinding[] = [];
  private readonly batches: BatchRecord[] = [];
  private readonly knowledge: CampaignKnowledge;
  /** The classifications so far, chained so that one runs at a time. */
  private classifying: Promise<void> = Promise.resolve();
  /** The QEMU build the campaign runs (QEMU campaigns): a finding is replayed there when classing needs its crash placed. */
  private judgedQemu: QemuBinaries | undefined;

  constructor(
    readonly settings: CampaignSettings,
    readonly hooks: CampaignHooks,
  ) {
    this.knowledge = new CampaignKnowledge(settings.known);
  }

  /** Stops starting runs; findings being shrunk are still saved. */
  stop(): void {
    this.stopped = true;
    this.broadcast({ type: 'stop' });
  }

  /** Runs the campaign. @throws Error when the engine cannot be set up (missing qemu-io) */
  async run(): Promise<CampaignResult> {
    const s = this.settings;
    const probe = await makeTarget(s.engine, s.mutants, s.qemu);
    const { engineVersion, qemuBinaries: qemu } = probe;
    this.judgedQemu = qemu;
    // Workers spawn the binaries the probe found, even when the campaign was given none.
    const total = s.plan.jobCount === 1 ? await this.runInProcess(probe) : (await probe.dispose(), await this.runWorkers(qemu));
    await this.classifying;
    return { engineVersion, ...(qemu ? { qemu } : {}), stats: this.withSaved(total), findings: [...this.saved], batches: [...this.batches].sort((a, b) => a.index - b.index) };
  }

  private async runInProcess(target: Awaited<ReturnType<typeof makeTarget>>): Promise<RunStats> {
    let latest = newRunStats();
    const timer = setInterval(() => this.hooks.onProgress?.(this.withSaved(latest)), 500);
    try {
      return await runJob(this.settings, {
        jobIndex: 0,
        target,
        shouldStop: () => this.shouldStop(),
        isKnown: (sig) => this.knowledge.has(sig),
        onProgress: (stats) => void (latest = stats),
        onBatch: (b) => void this.batches.push(b),
        onFinding: (f) => this.receive(f),
      });
    } finally {
      clearInterval(timer);
      await target.dispose();
    }
  }

  private runWorkers(qemu: QemuBinaries | undefined): Promise<RunStats> {
    const s: CampaignSettings = qemu ? { ...this.settings, qemu } : this.settings;
    const latest: RunStats[] = [];
    const sum = (): RunStats => latest.reduce(sumStats, newRunStats());
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
          } else if (m.type === 'finding') this.receive(m.finding);
          else if (m.type === 'batch') this.batches.push(m.batch);
          else if (m.type === 'error') reject(new Error(`fuzz job ${jobIndex}: ${m.message}`));
          else if (m.type === 'done') {
            latest[jobIndex] = m.stats;
            void w.terminate().then(() => resolve());
          }
        });
        w.on('error', reject);
        w.on('exit', () => resolve());
      });
    });
    return Promise.all(jobs).then(sum);
  }

  /** `stats` with `findings` counting the saved cases. */
  private withSaved(stats: RunStats): RunStats {
    return { ...stats, findings: this.saved.length };
  }

  private shouldStop(): boolean {
    return this.stopped || deadlinePassed(this.settings);
  }

  private broadcast(m: CampaignMessage): void {
    for (const w of this.workers) w.postMessage(m);
  }

  /**
   * Decides on a job's finding: new when the campaign did not know its case's signature (then it
   * is saved), known otherwise (dropped: another job found it first, or `--known` holds it).
   * Either way its signatures become known, and the jobs are told.
   */
  private receive(f: FuzzFinding): void {
    if (this.enoughFindings()) return;
    const { isNew, learnt } = this.knowledge.decide(f);
    if (learnt.length > 0) this.broadcast({ type: 'known', signatures: learnt });
    if (!isNew) return;
    this.save(f.case, f.batchIndex);
    if (this.enoughFindings()) this.stop();
  }

  /**
   * True once `maxFindings` findings are saved: the campaign stops, and a finding another job
   * reports after that (one it was shrinking) is not saved.
   */
  private enoughFindings(): boolean {
    const max = this.settings.maxFindings;
    return max !== undefined && this.saved.length >= max;
  }

  /** Saves a case file, then classes it against the baseline when there is one. */
  private save(c: FuzzCase, batchIndex: number): void {
    mkdirSync(this.hooks.corpusDir, { recursive: true });
    const file = join(this.hooks.corpusDir, caseFileName(c, this.settings.plan.masterSeed, batchIndex));
    writeCase(file, { ...c, replay: `crashcow replay ${file}` });
    const f: SavedFinding = { property: c.violation.property, rules: c.violation.rules, caseFile: file };
    this.saved.push(f);
    const baseline = this.hooks.baseline;
    if (baseline === undefined) {
      this.hooks.onFinding?.(f);
      return;
    }
    this.classifying = this.classifying.then(async () => {
      const k = await classifyCase(c, baseline, file, this.judgedQemu);
      f.class = k.class;
      f.baselineDetail = k.detail;
      this.hooks.onFinding?.(f);
    });
    // A failed classification (the baseline QEMU cannot run) is thrown by run(), which awaits the
    // chain; until then it must not count as an unhandled rejection.
    this.classifying.catch(() => undefined);
  }
}

/** "builtin-refcount-after-l2-p1-l2-2_rc-6-s1-b0.json" */
function caseFileName(c: FuzzCase, masterSeed: number, batchIndex: number): string {
  const parts = [c.engine.name, ...c.engine.mutants, ...(c.fault && c.fault.kind !== 'power' ? [c.fault.kind] : []), c.violation.property, c.violation.rules.join('_') || 'none', `s${masterSeed}`, `b${batchIndex}`];
  return parts.join('-').toLowerCase().replace(/[^a-z0-9_.-]+/g, '-') + '.json';
}
