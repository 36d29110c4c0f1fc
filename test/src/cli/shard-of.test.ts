/**
 * shardOf: --shard, then the variables of a Kubernetes Indexed Job, a Slurm job array and a CI
 * matrix; conflicts and malformed values are usage errors naming the flag or variable.
 */
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../../src/cli/shard-of.js';
import { isUsageError } from '../../../src/cli/usage-error.js';

/** The UsageError message shardOf throws (fails the test when it does not throw one). */
function refusal(flag: string | undefined, env: Record<string, string>): string {
  try {
    shardOf(flag, env);
  } catch (err) {
    expect(isUsageError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`shardOf accepted ${flag ?? ''} ${JSON.stringify(env)}`);
}

describe('shardOf', () => {
  it('is the whole campaign when neither the flag nor a variable names a shard', () => {
    expect(shardOf(undefined, {})).toEqual({ shardIndex: 0, shardCount: 1, source: 'none' });
  });

  it('reads --shard I/N from 1 and CRASHCOW_SHARD in the same form', () => {
    expect(shardOf('2/4', {})).toEqual({ shardIndex: 1, shardCount: 4, source: '--shard 2/4' });
    expect(shardOf(undefined, { CRASHCOW_SHARD: '4/4' })).toEqual({ shardIndex: 3, shardCount: 4, source: 'CRASHCOW_SHARD=4/4' });
  });

  it('reads a Kubernetes Indexed Job: JOB_COMPLETION_INDEX from 0 with CRASHCOW_SHARD_COUNT', () => {
    expect(shardOf(undefined, { JOB_COMPLETION_INDEX: '0', CRASHCOW_SHARD_COUNT: '4' })).toEqual({ shardIndex: 0, shardCount: 4, source: 'JOB_COMPLETION_INDEX=0, CRASHCOW_SHARD_COUNT=4' });
    expect(shardOf(undefined, { JOB_COMPLETION_INDEX: '3', CRASHCOW_SHARD_COUNT: '4' }).shardIndex).toBe(3);
  });

  it('reads a Slurm array from SLURM_ARRAY_TASK_MIN, whether it starts at 0 or 1', () => {
    const fromOne = { SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4' };
    expect(shardOf(undefined, { ...fromOne, SLURM_ARRAY_TASK_ID: '1' }).shardIndex).toBe(0);
    expect(shardOf(undefined, { ...fromOne, SLURM_ARRAY_TASK_ID: '4' })).toMatchObject({ shardIndex: 3, shardCount: 4 });
    const fromZero = { SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_COUNT: '4' };
    expect(shardOf(undefined, { ...fromZero, SLURM_ARRAY_TASK_ID: '0' }).shardIndex).toBe(0);
    expect(shardOf(undefined, { ...fromZero, SLURM_ARRAY_TASK_ID: '3' })).toMatchObject({ shardIndex: 3, shardCount: 4, source: 'SLURM_ARRAY_TASK_ID=3, SLURM_ARRAY_TASK_MIN=0, SLURM_ARRAY_TASK_COUNT=4' });
  });

  it('lets --shard win over every variable, even a malformed one', () => {
    expect(shardOf('1/2', { CRASHCOW_SHARD: 'x', JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '7' })).toEqual({ shardIndex: 0, shardCount: 2, source: '--shard 1/2' });
  });

  it('accepts sources that agree, and names both when they do not', () => {
    expect(shardOf(undefined, { CRASHCOW_SHARD: '2/4', JOB_COMPLETION_INDEX: '1', CRASHCOW_SHARD_COUNT: '4' }).source).toBe('CRASHCOW_SHARD=2/4');
    const msg = refusal(undefined, { CRASHCOW_SHARD: '2/4', SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' });
    expect(msg).toContain('CRASHCOW_SHARD=2/4');
    expect(msg).toContain('SLURM_ARRAY_TASK_ID=3');
  });

  it('refuses malformed and incomplete values, naming the flag or variable', () => {
    expect(refusal('0/4', {})).toContain('--shard');
    expect(refusal('5/4', {})).toContain('--shard');
    expect(refusal(undefined, { CRASHCOW_SHARD: '3' })).toContain('CRASHCOW_SHARD');
    expect(refusal(undefined, { JOB_COMPLETION_INDEX: '0' })).toContain('CRASHCOW_SHARD_COUNT is not');
    expect(refusal(undefined, { CRASHCOW_SHARD_COUNT: '4' })).toContain('JOB_COMPLETION_INDEX is not');
    expect(refusal(undefined, { JOB_COMPLETION_INDEX: '4', CRASHCOW_SHARD_COUNT: '4' })).toContain('JOB_COMPLETION_INDEX=4');
    expect(refusal(undefined, { JOB_COMPLETION_INDEX: '-1', CRASHCOW_SHARD_COUNT: '4' })).toContain('JOB_COMPLETION_INDEX needs');
    expect(refusal(undefined, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toContain('SLURM_ARRAY_TASK_MIN is not');
    expect(refusal(undefined, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toContain('SLURM_ARRAY_TASK_ID=5 is outside');
    // --array=1-7:2 (tasks 1, 3, 5, 7): not one shard per task index.
    expect(refusal(undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '7', SLURM_ARRAY_TASK_COUNT: '4' })).toContain('SLURM_ARRAY_TASK_MAX=7');
  });
});
