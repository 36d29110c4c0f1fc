/**
 * shardOf: which shard of a campaign this process runs, from `--shard I/N` or, when that flag is
 * absent, from the environment of the system that started it: a Kubernetes Indexed Job, a Slurm
 * job array, or a CI matrix. Pure (the environment is passed in). The flag wins over every
 * variable; variables that disagree with each other, or that cannot be read, are a usage error
 * naming the variable, so a misconfigured job fails at once instead of running another shard's
 * share (or the whole campaign) twice.
 */
import { UsageError } from './usage-error.js';

/** A shard of a campaign: 0-based index, count, and where they came from (for the summary). */
export interface Shard {
  shardIndex: number;
  shardCount: number;
  /** e.g. "--shard 2/4", "SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=4", "none". */
  source: string;
}

/** The environment variables shardOf reads, in the order their sources are tried. */
export const SHARD_VARIABLES = [
  'CRASHCOW_SHARD',
  'JOB_COMPLETION_INDEX',
  'CRASHCOW_SHARD_COUNT',
  'SLURM_ARRAY_TASK_ID',
  'SLURM_ARRAY_TASK_MIN',
  'SLURM_ARRAY_TASK_MAX',
  'SLURM_ARRAY_TASK_COUNT',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The shard from `flag` (the value of --shard, 1-based "I/N") or else from `env`; the whole
 * campaign (shard 0 of 1) when neither names one.
 * @throws UsageError naming the flag or variable that is malformed, missing or in conflict
 */
export function shardOf(flag: string | undefined, env: Env): Shard {
  if (flag !== undefined) return { ...slashForm(flag, '--shard'), source: `--shard ${flag}` };
  const found = [ciMatrixShard(env), kubernetesShard(env), slurmShard(env)].filter((s): s is Shard => s !== null);
  for (const other of found.slice(1)) {
    if (other.shardIndex !== found[0].shardIndex || other.shardCount !== found[0].shardCount) {
      throw new UsageError(`the environment names two shards: ${describe(found[0])} from ${found[0].source}, but ${describe(other)} from ${other.source}; unset one, or give --shard I/N`);
    }
  }
  return found[0] ?? { shardIndex: 0, shardCount: 1, source: 'none' };
}

/** "I/N" (1-based) of a shard. */
function describe(s: Shard): string {
  return `${s.shardIndex + 1}/${s.shardCount}`;
}

/** "I/N" with 1 <= I <= N, as a 0-based index; `name` is the flag or variable it came from. */
function slashForm(raw: string, name: string): { shardIndex: number; shardCount: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const i = m ? Number(m[1]) : 0;
  const n = m ? Number(m[2]) : 0;
  if (!m || n < 1 || i < 1 || i > n) throw new UsageError(`${name} needs I/N with 1 <= I <= N (shard I of N, counted from 1), got "${raw}"`);
  return { shardIndex: i - 1, shardCount: n };
}

/** A CI matrix: CRASHCOW_SHARD=I/N, the same form as --shard. */
function ciMatrixShard(env: Env): Shard | null {
  const raw = env.CRASHCOW_SHARD;
  if (raw === undefined || raw === '') return null;
  return { ...slashForm(raw, 'CRASHCOW_SHARD'), source: `CRASHCOW_SHARD=${raw}` };
}

/**
 * A Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based) is set by Kubernetes; the count
 * (`spec.completions`) reaches the pod only through the manifest, as CRASHCOW_SHARD_COUNT.
 */
function kubernetesShard(env: Env): Shard | null {
  const rawIndex = env.JOB_COMPLETION_INDEX;
  const rawCount = env.CRASHCOW_SHARD_COUNT;
  if (rawIndex === undefined || rawIndex === '') {
    if (rawCount !== undefined && rawCount !== '') throw new UsageError('CRASHCOW_SHARD_COUNT is set but JOB_COMPLETION_INDEX is not (CRASHCOW_SHARD_COUNT gives the count of a Kubernetes Indexed Job; elsewhere use CRASHCOW_SHARD=I/N)');
    return null;
  }
  if (rawCount === undefined || rawCount === '') throw new UsageError('JOB_COMPLETION_INDEX is set but CRASHCOW_SHARD_COUNT is not: set it in the Job manifest to spec.completions');
  const index = natural(rawIndex, 'JOB_COMPLETION_INDEX');
  const count = natural(rawCount, 'CRASHCOW_SHARD_COUNT');
  if (count < 1) throw new UsageError(`CRASHCOW_SHARD_COUNT must be at least 1, got "${rawCount}"`);
  if (index >= count) throw new UsageError(`JOB_COMPLETION_INDEX=${rawIndex} is not below CRASHCOW_SHARD_COUNT=${rawCount} (the index counts from 0)`);
  return { shardIndex: index, shardCount: count, source: `JOB_COMPLETION_INDEX=${rawIndex}, CRASHCOW_SHARD_COUNT=${rawCount}` };
}

/**
 * A Slurm job array: SLURM_ARRAY_TASK_ID, counted from SLURM_ARRAY_TASK_MIN (an array may start
 * at 0, 1 or anywhere), with SLURM_ARRAY_TASK_COUNT tasks. Only a contiguous range with step 1
 * (`--array=1-4`, `--array=0-3`) maps tasks to shards one to one, so MAX, when set, must be
 * MIN + COUNT - 1.
 */
function slurmShard(env: Env): Shard | null {
  const rawId = env.SLURM_ARRAY_TASK_ID;
  if (rawId === undefined || rawId === '') return null;
  const id = natural(rawId, 'SLURM_ARRAY_TASK_ID');
  const min = natural(required(env, 'SLURM_ARRAY_TASK_MIN'), 'SLURM_ARRAY_TASK_MIN');
  const count = natural(required(env, 'SLURM_ARRAY_TASK_COUNT'), 'SLURM_ARRAY_TASK_COUNT');
  if (count < 1) throw new UsageError(`SLURM_ARRAY_TASK_COUNT must be at least 1, got "${env.SLURM_ARRAY_TASK_COUNT}"`);
  const rawMax = env.SLURM_ARRAY_TASK_MAX;
  if (rawMax !== undefined && rawMax !== '' && natural(rawMax, 'SLURM_ARRAY_TASK_MAX') !== min + count - 1) {
    throw new UsageError(`SLURM_ARRAY_TASK_MAX=${rawMax} with SLURM_ARRAY_TASK_MIN=${min} and SLURM_ARRAY_TASK_COUNT=${count}: the array must be one range with step 1 (e.g. --array=1-${count})`);
  }
  if (id < min || id >= min + count) throw new UsageError(`SLURM_ARRAY_TASK_ID=${rawId} is outside SLURM_ARRAY_TASK_MIN=${min} .. ${min + count - 1}`);
  return { shardIndex: id - min, shardCount: count, source: `SLURM_ARRAY_TASK_ID=${rawId}, SLURM_ARRAY_TASK_MIN=${min}, SLURM_ARRAY_TASK_COUNT=${count}` };
}

function required(env: Env, name: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') throw new UsageError(`SLURM_ARRAY_TASK_ID is set but ${name} is not`);
  return raw;
}

/** A non-negative decimal integer from variable `name`. */
function natural(raw: string, name: string): number {
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) throw new UsageError(`${name} needs a non-negative integer, got "${raw}"`);
  return Number(raw);
}
