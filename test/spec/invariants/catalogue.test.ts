/**
 * The rule catalogue against the invariants that exist: every predicate that spec/invariants
 * exports is listed under some rule, every predicate listed is one of those exports, every rule id
 * the invariant modules can emit has an entry, and each id has one entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as bitmaps from '../../../spec/invariants/bitmaps.js';
import { catalogue, ruleOf } from '../../../spec/invariants/catalogue.js';
import * as compressed from '../../../spec/invariants/compressed.js';
import * as extendedL2 from '../../../spec/invariants/extended-l2.js';
import * as extensions from '../../../spec/invariants/extensions.js';
import * as features from '../../../spec/invariants/features.js';
import * as findingModule from '../../../spec/invariants/finding.js';
import * as header from '../../../spec/invariants/header.js';
import * as l2Violations from '../../../spec/invariants/l2-violations.js';
import * as limits from '../../../spec/invariants/limits.js';
import * as mapping from '../../../spec/invariants/mapping.js';
import * as overlap from '../../../spec/invariants/overlap.js';
import * as refcounts from '../../../spec/invariants/refcounts.js';
import * as snapshots from '../../../spec/invariants/snapshots.js';

const invariantsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../spec/invariants');

/** Every module of spec/invariants but the catalogue, by file name. */
const modules: Record<string, Record<string, unknown>> = {
  'bitmaps.ts': bitmaps,
  'compressed.ts': compressed,
  'extended-l2.ts': extendedL2,
  'extensions.ts': extensions,
  'features.ts': features,
  'finding.ts': findingModule,
  'header.ts': header,
  'l2-violations.ts': l2Violations,
  'limits.ts': limits,
  'mapping.ts': mapping,
  'overlap.ts': overlap,
  'refcounts.ts': refcounts,
  'snapshots.ts': snapshots,
};

/**
 * Exported functions that judge no rule of their own, each with the reason. Anything else a module
 * exports as a function is a predicate and must be in the catalogue.
 */
const notPredicates: Record<string, string> = {
  finding: 'builds a finding for any rule',
  ruleClassOf: 'classes a rule id',
  hexOf: 'formats an offset',
  entryHex: 'formats an entry',
  entryWitnessOf: 'builds the structured witness of a table entry',
  rawEntryOf: 'formats an entry for a witness',
  exactOffsetOf: 'keeps an offset in a witness only where a number holds it exactly',
  violationFindings: 'turns the mask of the listed mapping predicates into findings',
  corruptionCount: 'counts the corruptions of a mask',
  headerFindings: 'runs the listed header predicates together',
  featureFindings: 'runs the listed feature predicates together',
  extensionFindings: 'runs the listed extension predicates together',
};

/** A clause id in quotes: "HDR-3", "XL2-1", "QIMPL-L1-SIZE", "CRASHCOW-SIZE". */
const RULE_ID_LITERAL = /['"`]((?:[A-Z][A-Z0-9]*)(?:-[A-Z0-9]+)+)['"`]/g;

/** Rule ids written as literals in the source of the invariant modules (the catalogue excluded). */
function ruleIdsInSource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of readdirSync(invariantsDir).filter((f) => f.endsWith('.ts') && f !== 'catalogue.ts')) {
    const text = readFileSync(join(invariantsDir, file), 'utf8');
    for (const m of text.matchAll(RULE_ID_LITERAL)) if (!found.has(m[1])) found.set(m[1], file);
  }
  return found;
}

/** Every exported function of the invariant modules, as `file: name`. */
function exportedFunctions(): Array<{ where: string; name: string; fn: unknown }> {
  return Object.entries(modules).flatMap(([file, mod]) =>
    Object.entries(mod)
      .filter(([, value]) => typeof value === 'function')
      .map(([name, fn]) => ({ where: `${file}: ${name}`, name, fn })),
  );
}

/** Every clause id of QCOW2-FACTS §1: a rule dropped from the catalogue fails. */
const section1Ids = [
  'GEN-1', 'GEN-2', 'HDR-1', 'HDR-2', 'HDR-3', 'HDR-4', 'HDR-5', 'HDR-6', 'HDR-7', 'HDR-8',
  'HDR-9', 'HDR-10', 'HDR-11', 'HDR-12', 'HDR-13', 'FEAT-1', 'FEAT-2', 'FEAT-3', 'FEAT-4', 'FEAT-5',
  'FEAT-6', 'FEAT-7', 'FEAT-8', 'FEAT-9', 'FEAT-10', 'EXT-1', 'EXT-2', 'EXT-3', 'EXT-4', 'EXT-5',
  'EXT-6', 'EXT-7', 'RC-1', 'RC-2', 'RC-3', 'RC-4', 'RC-5', 'RC-6', 'RC-7', 'RC-8',
  'RC-9', 'L1-1', 'L1-2', 'L1-3', 'L2-1', 'L2-2', 'L2-3', 'L2-4', 'L2-5', 'L2-6',
  'L2-7', 'XL2-1', 'XL2-2', 'XL2-3', 'XL2-4', 'XL2-5', 'XL2-6', 'CMP-1', 'CMP-2', 'CMP-3',
  'CMP-4', 'CMP-5', 'SN-1', 'SN-2', 'SN-3', 'SN-4', 'SN-5', 'SN-6', 'SN-7', 'SN-8',
  'BM-1', 'BM-2', 'BM-3', 'BM-4', 'BM-5', 'AL-1', 'AL-2', 'AL-3', 'AL-4',
];

describe('rule catalogue against spec/invariants', () => {
  it('lists every predicate that an invariant module exports', () => {
    // Arrange
    const listed = new Set<unknown>(catalogue.flatMap((r) => r.predicates));
    // Act
    const unlisted = exportedFunctions().filter((e) => !(e.name in notPredicates) && !listed.has(e.fn));
    // Assert
    expect(unlisted.map((e) => e.where)).toEqual([]);
  });

  it('lists only predicates that an invariant module exports, and none of the helpers', () => {
    const exported = new Map(exportedFunctions().map((e) => [e.fn, e.name]));
    for (const rule of catalogue) {
      for (const p of rule.predicates) {
        expect(exported.has(p), `${rule.id}: ${p.name} is not exported by spec/invariants`).toBe(true);
        expect(exported.get(p)! in notPredicates, `${rule.id}: ${p.name} is a helper`).toBe(false);
      }
    }
  });

  it('keeps the list of helpers to functions that exist', () => {
    const names = new Set(exportedFunctions().map((e) => e.name));
    expect(Object.keys(notPredicates).filter((n) => !names.has(n))).toEqual([]);
  });

  it('has an entry for every rule id the invariant modules write', () => {
    // Arrange
    const emitted = ruleIdsInSource();
    // Act
    const missing = [...emitted].filter(([id]) => ruleOf(id) === undefined).map(([id, file]) => `${file}: ${id}`);
    // Assert: the scan sees the rules (a broken pattern would find none and pass vacuously)
    expect(emitted.has('HDR-1') && emitted.has('QIMPL-L1-SIZE') && emitted.has('XL2-3')).toBe(true);
    expect(missing).toEqual([]);
  });

  it('has an entry for the rule of every mapping violation bit', () => {
    const bits = Object.values(l2Violations.L2Violation);
    expect(bits.length).toBeGreaterThan(0);
    for (const bit of bits) {
      const found = l2Violations.violationFindings(bit, 'where', 'entry');
      expect(found, `bit ${bit}`).toHaveLength(1);
      expect(ruleOf(found[0].rule), `bit ${bit}`).toBeDefined();
    }
  });

  it('holds every clause id of QCOW2-FACTS §1, classed as a spec rule', () => {
    expect(section1Ids.filter((id) => ruleOf(id)?.class !== 'spec')).toEqual([]);
  });

  it('classes every other rule as an implementation limit', () => {
    const others = catalogue.filter((r) => !section1Ids.includes(r.id));
    expect(others.filter((r) => r.class !== 'qimpl').map((r) => r.id)).toEqual([]);
  });

  it('gives every rule at least one predicate, a statement and a family', () => {
    for (const rule of catalogue) {
      expect(rule.predicates.length, rule.id).toBeGreaterThan(0);
      expect(rule.statement.length, rule.id).toBeGreaterThan(10);
      expect(rule.family, rule.id).toBeTruthy();
    }
  });

  it('lists each id once', () => {
    const ids = catalogue.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });
});
