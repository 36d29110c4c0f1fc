/**
 * The arrows between folders (STYLE.md), checked over the tree: every import specifier of every
 * .ts file under spec/ and src/ (static, type-only, re-exports and dynamic `import()`, read by the
 * TypeScript scanner, so comments and strings do not count) against the rules below. The judge
 * shares no code with the judged: src/check imports neither src/repair nor src/engine, and neither
 * of them imports src/check; spec/ imports nothing of src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Modules that open files or run processes: only src/io, src/storage, src/engine and the commands above them may. */
const IO_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process', 'execa']);

interface Rule {
  name: string;
  /** Folder (repository-relative, with a trailing slash) whose files the rule governs. */
  from: string;
  /** True when the import is allowed: `target` is the repository-relative path of a relative import, else null. */
  allows(target: string | null, specifier: string): boolean;
}

const inside = (target: string | null, ...folders: string[]): boolean => target !== null && folders.some((f) => target.startsWith(f));

const RULES: readonly Rule[] = [
  { name: 'spec/ imports nothing of src/', from: 'spec/', allows: (t) => !inside(t, 'src/') },
  { name: 'spec/ does no I/O', from: 'spec/', allows: (_t, s) => !IO_MODULES.has(s) },
  { name: 'src/check imports no src/storage, src/repair or src/engine', from: 'src/check/', allows: (t) => !inside(t, 'src/storage/', 'src/repair/', 'src/engine/') },
  { name: 'src/check reads files only through src/io', from: 'src/check/', allows: (_t, s) => !IO_MODULES.has(s) },
  { name: 'src/engine imports nothing of src/check', from: 'src/engine/', allows: (t) => !inside(t, 'src/check/') },
  { name: 'src/repair imports only spec/, src/storage and src/io', from: 'src/repair/', allows: (t) => t === null || inside(t, 'spec/', 'src/repair/', 'src/storage/', 'src/io/') },
  { name: 'src/repair opens files only through src/storage and src/io', from: 'src/repair/', allows: (_t, s) => !IO_MODULES.has(s) },
];

/** The specifiers a TypeScript file imports (`import`, `import type`, `export ... from`, `import()`). */
function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** Where a relative specifier of `file` points, repository-relative with a .ts extension; null for a package or builtin. */
function importTarget(file: string, specifier: string): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  return posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
}

/** One line per broken rule: the importing file, the import, and the rule. */
function importViolations(file: string, text: string): string[] {
  const out: string[] = [];
  for (const specifier of importSpecifiers(text)) {
    const target = importTarget(file, specifier);
    for (const rule of RULES) {
      if (file.startsWith(rule.from) && !rule.allows(target, specifier)) out.push(`${file} imports '${specifier}'${target ? ` (${target})` : ''}: breaks "${rule.name}"`);
    }
  }
  return out;
}

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
    const path = posix.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

describe('import rules', () => {
  const files = [...sourceFiles('spec'), ...sourceFiles('src')];

  it('walks the whole tree (every governed folder has files)', () => {
    for (const rule of RULES) expect(files.filter((f) => f.startsWith(rule.from)).length, rule.from).toBeGreaterThan(2);
  });

  it('holds for every import of spec/ and src/', () => {
    const violations = files.flatMap((f) => importViolations(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(violations).toEqual([]);
  });

  it('names the file and the import of each violation', () => {
    const bad: [string, string][] = [
      ['spec/walk/x.ts', "import { FileByteSource } from '../../src/io/file-byte-source.js';"],
      ['spec/format/x.ts', "import { readFileSync } from 'node:fs';"],
      ['src/check/x.ts', "import type { BlockDevice } from '../storage/block-device.js';"],
      ['src/check/x.ts', "const r = await import('../repair/repair-image.js');"],
      ['src/check/deeper/x.ts', "export { BuiltinEngine } from '../../engine/builtin/builtin-engine.js';"],
      ['src/engine/builtin/x.ts', "import { checkImage } from '../../check/check-image.js';"],
      ['src/repair/x.ts', "import { checkImage } from '../check/check-image.js';"],
      ['src/repair/x.ts', "import { makeTarget } from '../fuzz/target/make-target.js';"],
      ['src/repair/x.ts', "import { openSync } from 'fs';"],
    ];
    for (const [file, line] of bad) {
      const found = importViolations(file, line);
      expect(found.length, `${file}: ${line}`).toBeGreaterThan(0);
      expect(found[0]).toContain(file);
      expect(found[0]).toContain(`'${line.match(/'([^']+)'/)![1]}'`);
    }
  });

  it('lets each area import what the arrows allow', () => {
    const good: [string, string][] = [
      ['spec/walk/x.ts', "import { TableView } from '../format/table-view.js';"],
      ['spec/semantics/x.ts', "import { inflateRawSync } from 'node:zlib';"],
      ['src/check/x.ts', "import { computeReferences } from '../../spec/walk/compute-references.js';"],
      ['src/repair/x.ts', "import type { BlockDevice } from '../storage/block-device.js';"],
      ['src/repair/x.ts', "import { FileByteSource } from '../io/file-byte-source.js';"],
      ['src/repair/x.ts', "// import { checkImage } from '../check/check-image.js';"],
      ['src/cli/x.ts', "import { checkImage } from '../check/check-image.js';\nimport { repairImage } from '../repair/repair-image.js';"],
    ];
    for (const [file, line] of good) expect(importViolations(file, line), `${file}: ${line}`).toEqual([]);
  });

  it('reads paths as the importing file sees them', () => {
    expect(importTarget('src/repair/x.ts', '../../spec/walk/walk-state.js')).toBe('spec/walk/walk-state.ts');
    expect(importTarget('src/repair/x.ts', 'fast-check')).toBeNull();
  });
});
