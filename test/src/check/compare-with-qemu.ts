/**
 * Helpers for comparing crashcow check with `qemu-img check --output=json` on the same image:
 * the verdict (exit code) and every counter, absent qemu-img counters read as 0.
 */
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { checkImage } from '../../../src/check/check-image.js';
import { exitCodeOf, type CheckReport } from '../../../src/check/check-report.js';
import { FileByteSource } from '../../../src/io/file-byte-source.js';
import { counter, qemuCheck, type QemuCheck } from '../../helpers/qemu.js';

const schema = JSON.parse(readFileSync(new URL('../../../spec/schemas/check.schema.json', import.meta.url), 'utf8'));
const validateReport = new Ajv({ allErrors: true }).compile(schema);

/** Schema errors of a report as crashcow check --output json prints it (empty when valid). */
export function schemaErrors(report: CheckReport): string {
  return validateReport(JSON.parse(JSON.stringify(report))) ? '' : JSON.stringify(validateReport.errors);
}

export const counterNames = [
  'check-errors',
  'corruptions',
  'leaks',
  'corruptions-fixed',
  'leaks-fixed',
  'image-end-offset',
  'total-clusters',
  'allocated-clusters',
  'fragmented-clusters',
  'compressed-clusters',
] as const;

/** crashcow's report on a file (read-only). */
export function crashcowCheck(path: string): CheckReport {
  const source = new FileByteSource(path);
  try {
    return checkImage(source, path);
  } finally {
    source.close();
  }
}

export interface Comparison {
  ours: CheckReport;
  theirs: QemuCheck;
  ourExit: number;
  /** Counters as {name: [crashcow, qemu-img]}. */
  counters: Record<string, [number, number]>;
}

export async function compareWithQemu(path: string, qemuArgs: string[] = []): Promise<Comparison> {
  const ours = crashcowCheck(path);
  const theirs = await qemuCheck(path, qemuArgs);
  const counters: Record<string, [number, number]> = {};
  for (const name of counterNames) counters[name] = [ours[name], counter(theirs.json, name)];
  return { ours, theirs, ourExit: exitCodeOf(ours), counters };
}

/** The counters on which the two disagree (empty when they agree). */
export function counterDiff(c: Comparison): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(c.counters).filter(([, [a, b]]) => a !== b));
}

/** Findings as one line each, for assertion messages. */
export function findingLines(r: CheckReport): string {
  return r.findings.map((f) => `${f.rule} ${f.kind} ${f.where}: ${f.detail}`).join('\n');
}
