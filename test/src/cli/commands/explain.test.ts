/**
 * `crashcow explain` as a user runs it (the built CLI): a built-in corpus case and a real QEMU 7.2
 * case (qemu-io and qemu-img from /usr/bin), explained in JSON that holds to
 * spec/schemas/explain.schema.json, every write with its operation, a change label and a fate,
 * and the witness labelled and tied to the writes; hostile strings in a case printed inertly; an
 * invalid case refused with exit 2 naming the field.
 */
import Ajv from 'ajv';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';

const schema = JSON.parse(readFileSync(new URL('../../../../spec/schemas/explain.schema.json', import.meta.url), 'utf8'));
const validExplanation = new Ajv({ allErrors: true, strict: true }).compile(schema);
const corpus = (name: string): string => fileURLToPath(new URL(`../../../../corpus/${name}.json`, import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'crashcow-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Write { index: number; operation: number | null; changes: Array<{ text: string; changed: boolean }>; fate: { fate: string } }

/** Runs explain --output json on `path` and checks the output against the schema. */
async function explainJson(path: string) {
  const r = await crashcow(['explain', '--output', 'json', path]);
  const e = JSON.parse(r.stdout);
  expect(validExplanation(e), JSON.stringify(validExplanation.errors)).toBe(true);
  return { r, e };
}

function expectEveryWriteTold(writes: Write[]): void {
  expect(writes.length).toBeGreaterThan(0);
  for (const w of writes) {
    expect(w.operation, `write #${w.index}`).toEqual(expect.any(Number));
    expect(w.changes.length, `write #${w.index}`).toBeGreaterThan(0);
    expect(['kept', 'dropped', 'torn']).toContain(w.fate.fate);
  }
}

describe('crashcow explain', () => {
  it('explains a built-in case: the in-flight operation, the L1 write kept, the witness tied to it (exit 0)', async () => {
    const { r, e } = await explainJson(corpus('builtin-mutant-l1-before-l2'));
    expect(r.exitCode).toBe(0);
    expect(e.operations.map((o: { mark: string }) => o.mark)).toEqual(['in-flight', 'crash']);
    expectEveryWriteTold(e.writes);
    const recorded = JSON.parse(readFileSync(corpus('builtin-mutant-l1-before-l2'), 'utf8'));
    expect(e.writes.filter((w: Write) => w.fate.fate === 'kept').map((w: Write) => w.index)).toEqual(recorded.crash.survivingOps);
    expect(e.writes[0].changes[0].text).toBe('L1 entry 0: [0] none -> L2 @0x800 COPIED');
    expect(e.verdict).toMatchObject({ reproduces: true, witness: { rule: 'AL-4', witness: { table: 'l1', entryIndex: 0, referencedOffsetBytes: 0x800 } } });
    expect(e.verdict.witness.links).toEqual([{ role: 'entry', phase: 'crash', write: 2, summary: 'L1 entry 0: none -> L2 @0x800 COPIED', fate: 'kept' }]);
    expect(e.verdict.witness.text).toContain('L1 @0x600 entry 0 -> 0x800 (512 bytes)');
  });

  it('explains the QEMU 7.2 repair-on-open case: the dropped extension, the kept L2 entry, the repair that keeps it', async () => {
    const path = corpus('qemu-repair-on-open-keeps-l2-past-eof');
    const { r, e } = await explainJson(path);
    expect(r.exitCode, r.stderr).toBe(0);
    expectEveryWriteTold(e.writes);
    const byIndex = new Map(e.writes.map((w: Write & { summary: string }) => [w.index, w]));
    expect(byIndex.get(17)).toMatchObject({ operation: 2, summary: 'file extension + data', fate: { fate: 'dropped' } });
    expect(byIndex.get(18)).toMatchObject({ operation: 2, summary: 'L2 entry 0', fate: { fate: 'kept' } });
    expect(e.operations[1].mark).toBe('in-flight');
    expect(e.recoveries[0].how).toBe('qemu read-write open and close');
    expect(e.recoveries[0].writes.map((w: { summary: string }) => w.summary)).toContain('header incompatible_features');
    const w = e.verdict.witness;
    expect(w.witness).toMatchObject({ table: 'l2', tableOffsetBytes: 0xc00, entryIndex: 0, referencedOffsetBytes: 0xe00 });
    expect(w.text).toContain('L2 @0xc00 entry 0 -> 0xe00 (512 bytes)');
    expect(w.text).toContain('because write #17 (file extension + data) was dropped and write #18 (L2 entry 0: unallocated -> 0xe00 COPIED) was kept');
    expect(w.text).toContain('qemu read-write open and close rewrote the entry in its write #0 (L2 entry 0: 0xe00 COPIED -> 0xe00)');
    const human = await crashcow(['explain', path]);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('<- IN FLIGHT at the crash');
    expect(human.stdout).toContain('L2 table at 0xc00 entry 0 (guest range 0x0-0x1ff): [0] unallocated -> 0xe00 COPIED');
  }, 60_000);

  it('prints hostile strings of a case inertly: no command runs, no line is broken', async () => {
    const marker = join(dir, 'pwned');
    const c = JSON.parse(readFileSync(corpus('builtin-mutant-l1-before-l2'), 'utf8'));
    c.engine.version = `crashcow-builtin 0.1.0 </script><script>alert(1)</script> $(touch ${marker}) \`touch ${marker}\`\nforged line`;
    c.note = 'x\n\u001b[2J';
    c.violation.summary = `$(touch ${marker})\nverdict: forged`;
    const path = join(dir, 'hostile $(touch pwned).json');
    writeFileSync(path, JSON.stringify(c));
    const r = await crashcow(['explain', path]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(r.stdout).toContain('</script><script>alert(1)</script>');
    expect(r.stdout).toContain('\\nverdict: forged');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('forged line') || l.startsWith('verdict: forged'))).toEqual([]);
    expect(r.stdout).not.toContain('\u001b');
    const json = await explainJson(path);
    expect(json.e.case.engineVersion).toBe(c.engine.version);
    expect(json.e.verdict.recorded.summary).toBe(c.violation.summary);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses an invalid case with exit 2, naming the field', async () => {
    const c = JSON.parse(readFileSync(corpus('builtin-mutant-l1-before-l2'), 'utf8'));
    c.engine.name = 'bochs';
    const path = join(dir, 'invalid.json');
    writeFileSync(path, JSON.stringify(c));
    const r = await crashcow(['explain', path]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('/engine/name');
    expect(r.stderr).not.toContain('    at ');
    writeFileSync(path, '{ not json');
    expect((await crashcow(['explain', path])).exitCode).toBe(2);
    expect((await crashcow(['explain', '--output', 'xml', path])).exitCode).toBe(2);
    c.engine.name = 'builtin';
    c.name = '</script>\n$(id)';
    writeFileSync(path, JSON.stringify(c));
    const named = await crashcow(['explain', path]);
    expect(named.exitCode).toBe(2);
    expect(named.stderr).toContain('/name must match pattern');
  });
});
