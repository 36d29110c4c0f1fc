/**
 * writeIotest: puts an exported test in a folder: the executable script, its expected output and
 * the images compressed with bzip2 (the system's bzip2, whose output is the same on every run).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ExportRefusal } from './export-refusal.js';
import type { IotestPlan } from './iotest-plan.js';
import type { PokePlan } from './poke-plan.js';
import { iotestFileNames, renderExpectedOut, renderScript } from './iotest-script.js';
import { isPlainFileName } from './shell-text.js';

/** The test's name: the case's name, else the case file's name, when it is a plain file name; else "crash-case". */
export function iotestName(caseName: string | undefined, casePath: string): string {
  const fromPath = basename(casePath).replace(/\.json$/, '');
  for (const candidate of [caseName, fromPath]) if (candidate !== undefined && isPlainFileName(candidate)) return candidate;
  return 'crash-case';
}

/**
 * Writes the test of `plan` into `dir` (made if missing), in the poke form when `poke` is given
 * (no image: the script builds it); returns the files written.
 * @throws ExportRefusal when bzip2 cannot be run
 */
export function writeIotest(plan: IotestPlan, dir: string, name: string, poke: PokePlan | null = null): string[] {
  const files = iotestFileNames(name);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (file: string, data: string | Uint8Array): void => {
    writeFileSync(join(dir, file), data);
    written.push(join(dir, file));
  };
  if (poke === null) put(files.image, bzip2(plan.imageBytes));
  if (plan.backing) put(files.backing, bzip2(plan.backing.bytes));
  put(files.out, renderExpectedOut(plan, name));
  put(files.script, renderScript(plan, name, poke));
  chmodSync(join(dir, files.script), 0o755);
  return written;
}

function bzip2(bytes: Uint8Array): Buffer {
  const r = spawnSync('bzip2', ['-9', '-c'], { input: bytes, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new ExportRefusal(`bzip2 could not be run (${r.error?.message ?? `exit ${r.status}: ${r.stderr.toString().trim()}`}): install bzip2`);
  return r.stdout;
}
