/**
 * MergeInputError: `crashcow merge` was given something that is not the output of one campaign's
 * shards (an unreadable or invalid file, shards of different campaigns, a shard twice, a finding
 * whose case is missing). It names the file at fault; the CLI prints it in one line and exits 2.
 */
export class MergeInputError extends Error {
  readonly code = 'MERGE_INPUT' as const;
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'MergeInputError';
  }
}

export function isMergeInputError(err: unknown): err is MergeInputError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'MERGE_INPUT';
}
