/**
 * formatExplanation: an Explanation as text for people: the operations, the crash epoch's writes
 * (each with its operation, its changes and its fate), the recoveries' writes, and the verdict with
 * its witness. Every string that came from the case file goes through `printable`, so a case
 * cannot break lines or inject terminal control sequences into the report.
 */
import { byteRange } from '../../spec/explain/change-label.js';
import type { Explanation, ExplainedOperation, ExplainedWrite, WriteFate } from './explanation.js';

export const MARKS: Record<ExplainedOperation['mark'], string> = {
  'before-earlier-crash': 'before an earlier crash',
  'earlier-crash': 'earlier crash, recovered',
  flushed: 'flushed',
  'not-flushed': 'done, not flushed',
  'in-flight': '<- IN FLIGHT at the crash',
  'not-started': 'not started',
  crash: '<- the crash',
};

export function formatExplanation(e: Explanation): string {
  const out: string[] = [];
  const name = e.case.name !== undefined ? ` (${printable(e.case.name)})` : '';
  const mutants = e.case.mutants.length > 0 && !e.case.engineVersion.includes('mutants') ? `, mutants ${e.case.mutants.map(printable).join(', ')}` : '';
  out.push(`case ${printable(e.case.path)}${name}: ${e.case.engine} ${printable(e.case.engineVersion)}${mutants}, ${e.case.image}`);
  if (e.case.fault !== undefined) out.push(`fault: ${printable(e.case.fault)}`);
  out.push(`recorded: ${e.verdict.recorded.property} [${e.verdict.recorded.rules.map(printable).join(', ')}]: ${printable(e.verdict.recorded.summary)}`);
  out.push('', 'operations:');
  for (const op of e.operations) {
    const span = op.storageOps ? ` (storage ops #${op.storageOps.first}..#${op.storageOps.end - 1})` : '';
    const done = op.mark === 'in-flight' && op.storageOps && e.crash ? `, ${e.crash.crashPoint - op.storageOps.first} of ${op.storageOps.end - op.storageOps.first} done` : '';
    out.push(`  ${op.number}. ${op.text}${span}  ${MARKS[op.mark]}${done}`);
  }
  if (e.damage) {
    const d = e.damage;
    out.push('', `damage: ${d.kind} of ${printable(d.where)} (aimed at the ${d.target}; ${d.byteCount} byte(s) changed${d.fileSizeBytes !== undefined ? `, file cut to ${d.fileSizeBytes} bytes` : ''}), after the clean close:`);
    for (const w of d.writes) out.push(...writeLines(w));
    for (const r of d.repairs) out.push(`repair: ${r.how}: ${r.exitCode === null ? 'crashed' : `exit ${r.exitCode}`}${r.message ? `: ${printable(r.message)}` : ''}`);
  } else if (e.crash) {
    const c = e.crash;
    const flush = c.lastFlushIndex >= 0 ? `the flush #${c.lastFlushIndex}` : 'the start of the segment';
    out.push('', `crash epoch: ${e.writes.length} write(s) between ${flush} and the crash before storage op #${c.crashPoint} (of ${c.storageOpCount} recorded); the state ${c.stateId} is ${c.stateSizeBytes} bytes long`);
    for (const w of e.writes) out.push(...writeLines(w));
  } else {
    out.push('', 'no crash state: the run broke its property before any crash');
  }
  for (const r of e.recoveries) {
    const inner = r.crashStateId !== undefined ? `, crashed in state ${r.crashStateId}` : '';
    out.push('', `recovery: ${r.how}: ${r.writes.length} write(s)${inner}${r.failure !== undefined ? `; it failed: ${printable(r.failure)}` : ''}`);
    for (const w of r.writes) out.push(...writeLines(w));
  }
  out.push('', verdictLine(e));
  if (e.verdict.witness) out.push(`witness: ${e.verdict.witness.text}`);
  if (e.verdict.sector) out.push(`witness: ${e.verdict.sector.text}`);
  return out.join('\n') + '\n';
}

/** A write's lines: what it wrote, by whom, its fate, then each change. */
export function writeLines(w: ExplainedWrite): string[] {
  const what = w.kind === 'truncate' ? `truncate to ${w.offsetBytes}` : `${w.kind} ${byteRange(w.offsetBytes, w.offsetBytes + w.lengthBytes)} (${w.lengthBytes} bytes)`;
  const lines = [`  #${w.index} ${what}, by ${w.operationText}: ${fateText(w.fate)}`];
  for (const l of w.changes) lines.push(`      ${l.text}`);
  if (w.changes.length === 0) lines.push('      (changes nothing)');
  return lines;
}

export function fateText(f: WriteFate): string {
  if (f.fate !== 'torn') return f.fate.toUpperCase();
  const ranges = (rs: typeof f.landed): string => (rs ?? []).map((r) => byteRange(r.fromBytes, r.toBytes)).join(', ');
  return `TORN: ${f.sectorsLanded} of ${f.sectorCount} sectors landed (${ranges(f.landed)}), lost ${ranges(f.lost)}`;
}

export function verdictLine(e: Explanation): string {
  const v = e.verdict;
  if (v.found === null) return `verdict: does not reproduce: no property breaks now (the case records ${v.recorded.property})`;
  const found = `${v.found.property} [${v.found.rules.map(printable).join(', ')}]: ${printable(v.found.summary)} (${printable(v.found.stage)})`;
  return v.reproduces ? `verdict: reproduces ${found}` : `verdict: does not reproduce ${v.recorded.property}; breaks ${found} instead`;
}

/** `s` with control characters shown as escapes (\n, \u001b ...), so it stays on its line. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => (ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
