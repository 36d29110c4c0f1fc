/**
 * `crashcow fuzz --faults damage|all` as a user runs it: a damage campaign with a repair mutant
 * exits 1 with a short case that `crashcow replay` reproduces (exit 1) and `crashcow explain` tells
 * (the damage's bytes and the repair's verdict; JSON against its schema); the summary counts runs
 * per fault kind; `all` draws both kinds; the clean repair passes a short campaign.
 */
import Ajv from 'ajv';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';

const schema = (name: string) => new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(new URL(`../../../spec/schemas/${name}`, import.meta.url), 'utf8')));
const validSummary = schema('fuzz-summary.schema.json');
const validExplain = schema('explain.schema.json');

const dir = mkdtempSync(join(tmpdir(), 'crashcow-damage-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crashcow fuzz --faults damage', () => {
  it('finds repair-naive-increment: exit 1, a case of at most 12 operations that replays and explains', async () => {
    const corpus = join(dir, 'naive');
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--faults', 'damage', '--mutant', 'repair-naive-increment', '--seed', '1', '--runs', '10', '--output', 'json', '--corpus', corpus]);
    expect(r.exitCode, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
    expect(summary.campaign.faults).toBe('damage');
    expect(summary.faultRuns.damage).toBe(summary.runs);
    expect(summary.faultRuns.damagedImages).toBeGreaterThan(0);
    expect(summary.findings[0].property).toBe('P7');
    const file = summary.findings[0].caseFile;
    const c = JSON.parse(readFileSync(file, 'utf8'));
    expect(c.operations.length).toBeLessThanOrEqual(12);
    expect(c.fault.kind).toBe('damage');
    expect((await crashcow(['replay', file])).exitCode).toBe(1);
    const human = await crashcow(['explain', file]);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/^damage: /m);
    expect(human.stdout).toMatch(/^repair: crashcow check -r all: exit 2/m);
    expect(human.stdout).toMatch(/^verdict: reproduces P7/m);
    const json = await crashcow(['explain', '--output', 'json', file]);
    const e = JSON.parse(json.stdout);
    expect(validExplain(e), JSON.stringify(validExplain.errors)).toBe(true);
    expect(e.damage.writes.length).toBeGreaterThan(0);
  });

  it('--faults all draws power, eio and damage runs; the clean engine and repair find nothing', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--faults', 'all', '--seed', '2', '--runs', '16', '--output', 'json', '--corpus', join(dir, 'all')]);
    expect(r.exitCode, r.stdout).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
    expect(summary.faultRuns.power).toBeGreaterThan(0);
    expect(summary.faultRuns.eio).toBeGreaterThan(0);
    expect(summary.faultRuns.damage).toBeGreaterThan(0);
    expect(summary.faultRuns.power + summary.faultRuns.eio + summary.faultRuns.damage).toBe(summary.runs);
    expect(summary.faultRuns.eioFired).toBeLessThanOrEqual(summary.faultRuns.eio);
    expect(readdirSync(dir)).not.toContain('all');
  });

  it('the default --faults power summary has no fault fields (today\'s campaign)', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--seed', '5', '--runs', '2', '--output', 'json', '--corpus', join(dir, 'power')]);
    expect(r.exitCode).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.campaign.faults).toBeUndefined();
    expect(summary.faultRuns).toBeUndefined();
  });
});
