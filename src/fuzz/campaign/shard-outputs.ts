/**
 * readShardOutputs: what the shards of a campaign left in the folders given to `crashcow merge`:
 * every `*.json` file under them (recursively, in name order) is either a fuzz summary or a saved
 * case, and anything else is an input error naming the file. A path given directly may also be
 * one such file. Reads only; the merge itself is mergeShards.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertValidCase, type FuzzCase } from '../case/fuzz-case.js';
import { assertValidSummary, looksLikeSummary, type FuzzSummary } from './fuzz-summary.js';
import { MergeInputError } from './merge-input-error.js';

export interface ShardOutputs {
  summaries: Array<{ file: string; summary: FuzzSummary }>;
  cases: Array<{ file: string; case: FuzzCase }>;
}

/** The summaries and cases under `paths` (folders or files), each file once. @throws MergeInputError */
export function readShardOutputs(paths: readonly string[]): ShardOutputs {
  const files = new Map<string, string>();
  for (const p of paths) for (const f of jsonFilesUnder(p)) if (!files.has(resolve(f))) files.set(resolve(f), f);
  const out: ShardOutputs = { summaries: [], cases: [] };
  for (const file of files.values()) {
    const value = parseJson(file);
    try {
      if (looksLikeSummary(value)) {
        assertValidSummary(value, file);
        out.summaries.push({ file, summary: value });
      } else {
        assertValidCase(value, file);
        out.cases.push({ file, case: value });
      }
    } catch (err) {
      throw new MergeInputError(file, (err as Error).message.replace(`${file}: `, ''));
    }
  }
  return out;
}

function jsonFilesUnder(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new MergeInputError(path, 'no such file or folder');
  if (st.isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) out.push(...jsonFilesUnder(p));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(p);
  }
  return out;
}

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MergeInputError(file, `cannot read it as JSON: ${(err as Error).message}`);
  }
}
