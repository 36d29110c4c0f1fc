/**
 * `crashcow corpus [--qemu DIR]... [--record] [--output human|json] [PATH...]`: replays every case
 * of the corpus (PATH: folders of cases or case files, default `corpus`) on every QEMU given (each
 * `--qemu DIR`; none: CRASHCOW_QEMU_DIR, else PATH) and prints one table, case by version: fails,
 * passes or diverges. Built-in cases are replayed on the built-in engine (with their mutants) under
 * a "builtin" column; a cell of another engine's column is "-". A cell that differs from the case's
 * record for that version ends in "!", one without a record in "?". `--record` writes the measured
 * cells into the cases' `expectations` (the old `expectation` folded in), so the corpus is updated
 * by command. Exit 0 when every cell is as recorded (or after --record wrote them), 1 when a cell
 * differs, 4 when none differs but a cell has no record, 2 for an invalid case, a bad PATH or a QEMU
 * that cannot run (2 wins over 1, 1 over 4).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { isFormatError } from '../../../spec/format/format-error.js';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import { asRecorded, BUILTIN_VERSION_KEY, expectationFor, versionKeyOf, withExpectations, type ReplayVerdict } from '../../fuzz/case/case-expectations.js';
import { isCaseReadError, isInvalidCaseError, readCase, writeCase, type FuzzCase } from '../../fuzz/case/fuzz-case.js';
import { measureCase } from '../../fuzz/case/measure-case.js';
import type { Command } from '../command.js';
import { flagChoice, parseArgs } from '../parse-args.js';
import { qemuFlagSpec, resolveQemuOrReport } from '../qemu-flag.js';
import { UsageError } from '../usage-error.js';
import { EXIT_UNKNOWN_VERSION } from './replay.js';

const USAGE = 'crashcow corpus [--qemu DIR]... [--record] [--output human|json] [CORPUS_DIR|CASE.json]...';

/** One column of the table: the built-in engine, or one QEMU build. */
interface Column {
  key: string;
  qemu?: QemuBinaries;
}

/** One row: a case and what it did per column key. */
interface Row {
  file: string;
  name: string;
  c: FuzzCase;
  results: Record<string, ReplayVerdict>;
}

export const corpusCommand: Command = {
  name: 'corpus',
  summary: 'replay every corpus case on each QEMU given (and the built-in engine) and print the table; --record writes it into the cases',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, [qemuFlagSpec(true), { name: 'record', takesValue: false }, { name: 'output', takesValue: true }]);
    const output = flagChoice(args, 'output', ['human', 'json'] as const, 'human');
    const rows = readRows(args.positionals.length > 0 ? args.positionals : ['corpus']);
    if (rows === null) return 2;
    const columns = await columnsFor(rows, args.flags.get('qemu') ?? []);
    if (columns === null) return 2;
    for (const row of rows) {
      for (const col of columns) {
        if ((col.key === BUILTIN_VERSION_KEY) !== (row.c.engine.name === 'builtin')) continue;
        try {
          row.results[col.key] = await measureCase(row.c, row.file, col.qemu);
        } catch (err) {
          if (!isFormatError(err) && !isInvalidCaseError(err)) throw err;
          process.stderr.write(`crashcow corpus: ${row.file}: invalid case: ${(err as Error).message}\n`);
          return 2;
        }
      }
    }
    const { differ, unknown } = tally(rows);
    process.stdout.write(output === 'json' ? JSON.stringify(jsonOf(rows, columns)) + '\n' : humanTable(rows, columns));
    if (args.flags.has('record')) {
      for (const row of rows) writeCase(row.file, withExpectations(row.c, row.results));
      process.stderr.write(`crashcow corpus: recorded ${rows.length} case(s) on ${columns.map((c) => c.key).join(', ')}\n`);
      return 0;
    }
    return differ > 0 ? 1 : unknown > 0 ? EXIT_UNKNOWN_VERSION : 0;
  },
};

/** The cases of the paths (folders: their *.json, sorted), or null after printing each invalid one. */
function readRows(paths: readonly string[]): Row[] | null {
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file or folder`);
    if (statSync(p).isDirectory()) files.push(...readdirSync(p).filter((n) => n.endsWith('.json')).sort().map((n) => join(p, n)));
    else files.push(p);
  }
  if (files.length === 0) throw new UsageError(`no case files in ${paths.join(', ')}`);
  const rows: Row[] = [];
  let invalid = false;
  for (const file of files) {
    try {
      const c = readCase(file);
      rows.push({ file, name: c.name ?? basename(file, '.json'), c, results: {} });
    } catch (err) {
      if (!isCaseReadError(err)) throw err;
      process.stderr.write(`crashcow corpus: ${(err as Error).message}\n`);
      invalid = true;
    }
  }
  return invalid ? null : rows;
}

/** "builtin" when a built-in case is there, then one column per QEMU folder; null when one cannot run. */
async function columnsFor(rows: readonly Row[], dirs: readonly string[]): Promise<Column[] | null> {
  const columns: Column[] = [];
  if (rows.some((r) => r.c.engine.name === 'builtin')) columns.push({ key: BUILTIN_VERSION_KEY });
  const wanted = dirs.length > 0 ? dirs : rows.some((r) => r.c.engine.name === 'qemu') ? [undefined] : [];
  for (const dir of wanted) {
    const qemu = await resolveQemuOrReport('corpus', dir);
    if (qemu === null) return null;
    const key = versionKeyOf(qemu.versionLine);
    const same = columns.find((c) => c.key === key);
    if (same) throw new UsageError(`${dir} and ${same.qemu?.dir ?? 'PATH'} are both QEMU ${key}: one column per version`);
    columns.push({ key, qemu });
  }
  return columns;
}

/** Cells that differ from their record, and cells without one. */
function tally(rows: readonly Row[]): { differ: number; unknown: number } {
  let differ = 0;
  let unknown = 0;
  for (const row of rows) {
    for (const [key, did] of Object.entries(row.results)) {
      const expected = expectationFor(row.c, key);
      if (expected === undefined) unknown++;
      else if (!asRecorded(expected, did)) differ++;
    }
  }
  return { differ, unknown };
}

/** A cell: the verdict, "!" when it differs from the record, "?" when there is none; "-" for another engine. */
function cellOf(row: Row, key: string): string {
  const did = row.results[key];
  if (did === undefined) return '-';
  const expected = expectationFor(row.c, key);
  return did + (expected === undefined ? '?' : asRecorded(expected, did) ? '' : '!');
}

function humanTable(rows: readonly Row[], columns: readonly Column[]): string {
  const header = ['case', ...columns.map((c) => c.key)];
  const body = rows.map((r) => [r.name, ...columns.map((c) => cellOf(r, c.key))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), ...body.map(line)];
  for (const c of columns) if (c.qemu) out.push(`${c.key}: ${c.qemu.versionLine} (${shownDir(c.qemu.dir)})`);
  const cells = body.flatMap((b) => b.slice(1));
  if (cells.some((cell) => cell.endsWith('!'))) out.push('!: not what the case records for this version');
  if (cells.some((cell) => cell.endsWith('?'))) out.push('?: the case has no record for this version (--record writes one)');
  return out.join('\n') + '\n';
}

/** A QEMU folder as the table names it: relative to the working folder when inside it, "PATH" for none. */
function shownDir(dir: string | null): string {
  if (dir === null) return 'PATH';
  const inside = relative(process.cwd(), dir);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : dir;
}

function jsonOf(rows: readonly Row[], columns: readonly Column[]): unknown {
  return {
    versions: columns.map((c) => (c.qemu ? { key: c.key, versionLine: c.qemu.versionLine, dir: c.qemu.dir } : { key: c.key })),
    cases: rows.map((r) => ({
      file: r.file,
      name: r.name,
      engine: r.c.engine.name,
      results: r.results,
      recorded: Object.fromEntries(columns.flatMap((c) => {
        const e = expectationFor(r.c, c.key);
        return e && r.results[c.key] !== undefined ? [[c.key, e.verdict]] : [];
      })),
    })),
    ...tally(rows),
  };
}
