/**
 * The HTML pages of `crashcow explain --html` and `crashcow layout --html`, loaded in the system's
 * headless Chromium (playwright-core, scripts/chromium.ts) and read back from the rendered DOM:
 * for every corpus case, the map's clusters per role equal `crashcow layout --output json` of the
 * same crash state (written by --state-out) and the broken clusters are the witness's; and hostile
 * strings (a case name, an image path, every string of an explanation) show as text, with no script
 * run and no element injected. Screenshots go to a temp dir that is kept (its path is printed).
 * Skipped, saying why, only when Chromium is missing and cannot be installed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type Chromium } from '../../../scripts/chromium.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import type { FindingWitness } from '../../../spec/invariants/finding.js';
import type { Explanation } from '../../../src/explain/explanation.js';
import { FileByteSource } from '../../../src/io/file-byte-source.js';
import { explainPage } from '../../../src/report/explain-page.js';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';

const missing = chromiumMissing();
if (missing !== null) console.warn(`SKIPPED pages-in-chromium: ${missing}`);

const CORPUS = new URL('../../../corpus/', import.meta.url);
const HOSTILE = `</script><img src=x onerror="window.__pwned=1">"'\n<script>window.__pwned=2</script>&amp;`;
const tmp = tempDir('crashcow-pages-');
const shots = mkdtempSync(join(tmpdir(), 'crashcow-page-screenshots-'));
let chromium: Chromium;

beforeAll(async () => {
  if (missing === null) chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  tmp.cleanup();
  console.info(`pages-in-chromium: screenshots in ${shots}`);
});

interface Rendered {
  counts: Record<string, number>;
  broken: number[];
  injected: { images: number; scripts: number; pwned: unknown; onerror: number };
}

/** Loads `path`, waits for the map script when the page has one, and reads what the test checks. */
async function load(path: string, shot: string, hasMap: boolean): Promise<{ page: Page; r: Rendered; errors: string[] }> {
  const page = await chromium.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(pathToFileURL(path).href);
  if (hasMap) await page.waitForSelector('html[data-rendered]', { timeout: 30_000 });
  const r = (await page.evaluate(`(() => {
    const counts = {};
    for (const tr of document.querySelectorAll('#role-counts tr[data-role]')) counts[tr.getAttribute('data-role')] = Number(tr.querySelector('.count').textContent);
    const broken = [...document.querySelectorAll('#broken-list li[data-cluster]')].map((li) => Number(li.getAttribute('data-cluster')));
    const injected = { images: document.querySelectorAll('img').length, scripts: document.querySelectorAll('script').length, pwned: window.__pwned, onerror: document.querySelectorAll('[onerror]').length };
    return { counts, broken, injected };
  })()`)) as Rendered;
  await page.screenshot({ path: join(shots, shot), fullPage: true });
  return { page, r, errors };
}

/** The clusters a witness names, worked out here from its fields: the entry's cluster and the clusters it references. */
function witnessClusters(w: FindingWitness, clusterSizeBytes: number, l2EntrySizeBytes: number): number[] {
  const out = new Set<number>();
  if (w.table !== undefined && w.tableOffsetBytes !== undefined && w.entryIndex !== undefined) {
    out.add(Math.floor((w.tableOffsetBytes + w.entryIndex * (w.table === 'l2' ? l2EntrySizeBytes : 8)) / clusterSizeBytes));
  }
  if (w.referencedOffsetBytes !== undefined) {
    const first = Math.floor(w.referencedOffsetBytes / clusterSizeBytes);
    const last = Math.floor((w.referencedOffsetBytes + (w.referencedSizeBytes ?? clusterSizeBytes) - 1) / clusterSizeBytes);
    for (let k = first; k <= Math.min(last, first + 15); k++) out.add(k);
  } else if (w.clusterIndex !== undefined) out.add(w.clusterIndex);
  return [...out].sort((a, b) => a - b);
}

/** For a guest sector witness: the clusters of the crash epoch's writes it is tied to. */
function sectorClusters(e: Explanation, clusterSizeBytes: number): number[] {
  const out = new Set<number>();
  for (const link of e.verdict.sector?.links ?? []) {
    const w = e.writes.find((x) => x.index === link.write);
    if (link.phase !== 'crash' || !w || w.kind === 'truncate' || w.lengthBytes === 0) continue;
    const first = Math.floor(w.offsetBytes / clusterSizeBytes);
    for (let k = first; k <= Math.min(Math.floor((w.offsetBytes + w.lengthBytes - 1) / clusterSizeBytes), first + 15); k++) out.add(k);
  }
  return [...out].sort((a, b) => a - b);
}

describe.skipIf(missing !== null)('explain --html in Chromium, every corpus case', () => {
  const cases = readdirSync(CORPUS).filter((f) => f.endsWith('.json')).sort();

  it('draws the crash state as crashcow layout counts it, with the witness\'s clusters broken', async () => {
    const compared = { builtin: 0, qemu: 0, broken: 0, noCrash: 0, noMap: 0 };
    for (const name of cases) {
      const dir = join(tmp.dir, basename(name, '.json'));
      const html = `${dir}.html`;
      const state = `${dir}.qcow2`;
      const ex = await crashcow(['explain', '--output', 'json', '--html', html, '--state-out', state, new URL(name, CORPUS).pathname]);
      if (ex.exitCode === 3) continue; // diverged: nothing to explain, no page (the corpus test judges divergence)
      expect([0, 1], `${name}: ${ex.stderr}`).toContain(ex.exitCode);
      const e = JSON.parse(ex.stdout) as Explanation;
      if (e.crash === null && e.damage === undefined) {
        const { page } = await load(html, `${name}.png`, false);
        expect(await page.locator('#no-crash').count(), name).toBe(1);
        expect(await page.locator('#map').count(), name).toBe(0);
        await page.close();
        compared.noCrash++;
        continue;
      }
      const lay = await crashcow(['layout', '--output', 'json', state]);
      if (lay.exitCode === 1 && /cluster 0 is not a qcow2 header/.test(lay.stderr)) {
        // A crash state whose header did not survive: neither layout nor the page can map it, and the page says so.
        const { page } = await load(html, `${name}.png`, false);
        expect(await page.locator('#no-map').count(), name).toBe(1);
        await page.close();
        compared.noMap++;
        continue;
      }
      expect(lay.exitCode, `${name}: ${lay.stderr}`).toBe(0);
      const layout = JSON.parse(lay.stdout) as { counts: Record<string, number>; clusterSizeBytes: number };
      const { page, r, errors } = await load(html, `${name}.png`, true);
      expect(errors, name).toEqual([]);
      const { broken: brokenCount, ...counts } = r.counts;
      expect(counts, name).toEqual(layout.counts);
      const source = new FileByteSource(state);
      const l2EntrySizeBytes = readImageMeta(source).geometry.l2EntrySizeBytes;
      source.close();
      const w = e.verdict.witness?.witness;
      const expected = w ? witnessClusters(w, layout.clusterSizeBytes, l2EntrySizeBytes) : sectorClusters(e, layout.clusterSizeBytes);
      expect(r.broken, name).toEqual(expected);
      expect(brokenCount, name).toBe(expected.length);
      await page.close();
      compared[e.case.engine === 'qemu' ? 'qemu' : 'builtin']++;
      if (expected.length > 0) compared.broken++;
    }
    console.info(`pages-in-chromium: ${JSON.stringify(compared)} of ${cases.length} corpus cases`);
    expect(compared.builtin).toBeGreaterThan(0);
    expect(compared.qemu).toBeGreaterThan(0);
    expect(compared.broken).toBeGreaterThan(0);
  }, 900_000);
});

describe.skipIf(missing !== null)('hostile strings stay text', () => {
  it('a case with markup in its strings: a name the schema refuses gives exit 2; the free-text fields show verbatim, nothing runs', async () => {
    const c = JSON.parse(readFileSync(new URL('builtin-mutant-l1-before-l2.json', CORPUS), 'utf8'));
    const badName = tmp.path('hostile-name.json');
    writeFileSync(badName, JSON.stringify({ ...c, name: HOSTILE }));
    const refused = await crashcow(['explain', '--html', tmp.path('never.html'), badName]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/not a valid crashcow case: \/name/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(tmp.path('never.html'))).toBe(false);
    c.engine.version = HOSTILE;
    c.violation.summary = HOSTILE;
    const path = tmp.path('hostile-case.json');
    writeFileSync(path, JSON.stringify(c));
    const html = tmp.path('hostile-case.html');
    const ex = await crashcow(['explain', '--html', html, path]);
    expect([0, 1], ex.stderr).toContain(ex.exitCode);
    const { page, r, errors } = await load(html, 'hostile-case.png', true);
    expect(errors).toEqual([]);
    expect(r.injected).toEqual({ images: 0, scripts: 2, pwned: undefined, onerror: 0 });
    expect(await page.locator('#case-head').textContent()).toContain(HOSTILE);
    expect(await page.locator('#recorded').textContent()).toContain(HOSTILE);
    await page.close();
  });

  it('an image path with markup: layout --html shows it verbatim and runs nothing', async () => {
    const image = tmp.path(`x${HOSTILE.replace(/\//g, '|')}.qcow2`);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', image, '4M']);
    await qemuIo(image, ['write -P 1 0 128k']);
    const html = tmp.path('hostile-image.html');
    const lay = await crashcow(['layout', '--html', html, image]);
    expect(lay.exitCode, lay.stderr).toBe(0);
    const { page, r, errors } = await load(html, 'hostile-image.png', true);
    expect(errors).toEqual([]);
    expect(r.injected).toEqual({ images: 0, scripts: 2, pwned: undefined, onerror: 0 });
    expect(await page.locator('#image-path').textContent()).toBe(image);
    await page.close();
  });

  it('every string of an explanation: text in the page, in attributes and in the map\'s hover text', async () => {
    const image = tmp.path('small.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=512', image, '64k']);
    await qemuIo(image, ['write -P 1 0 1k']);
    const h = (tag: string): string => `${tag}${HOSTILE}`;
    const label = { kind: 'data', text: h('change'), startBytes: 0, endBytes: 512 } as unknown as Explanation['writes'][number]['changes'][number];
    const write = { index: 5, kind: 'write' as const, offsetBytes: 0xa00, lengthBytes: 512, operation: 1, operationText: h('op-text'), changes: [label], summary: h('summary'), fate: { fate: 'dropped' as const, sectorCount: 1, sectorsLanded: 0 } };
    const e: Explanation = {
      schemaVersion: 1,
      case: { path: h('path'), name: h('name'), engine: h('engine'), engineVersion: h('version'), mutants: [h('mutant')], image: h('image') },
      crash: { stateId: h('state'), crashPoint: 6, lastFlushIndex: 4, storageOpCount: 7, stateSizeBytes: 4096 },
      operations: [{ number: 1, text: h('operation'), mark: 'in-flight' }],
      writes: [write],
      recoveries: [{ how: h('how'), writes: [{ ...write, index: 0, fate: { fate: 'completed', sectorCount: 1, sectorsLanded: 1 } }], failure: h('failure') }],
      verdict: {
        reproduces: true,
        recorded: { property: h('P'), rules: [h('rule')], summary: h('recorded') },
        found: { property: h('P'), rules: [h('rule')], summary: h('found'), stage: h('stage') },
        witness: { rule: h('wrule'), where: h('where'), detail: h('detail'), text: h('witness'), links: [], witness: { table: 'l2', tableOffsetBytes: 0x600, entryIndex: 0, referencedOffsetBytes: 0xa00, referencedSizeBytes: 512 } },
      },
    };
    const source = new FileByteSource(image);
    const html = tmp.path('hostile-explanation.html');
    writeFileSync(html, explainPage(e, source));
    source.close();
    const { page, r, errors } = await load(html, 'hostile-explanation.png', true);
    expect(errors).toEqual([]);
    expect(r.injected).toEqual({ images: 0, scripts: 2, pwned: undefined, onerror: 0 });
    expect(await page.locator('#case-title').textContent()).toBe(h('name'));
    expect(await page.locator('#case-head').textContent()).toContain(h('path'));
    expect(await page.locator('#operations li').first().textContent()).toContain(h('operation'));
    expect(await page.locator('#witness').textContent()).toBe(h('witness'));
    expect(await page.locator('[data-write="5"]').getAttribute('title')).toContain(h('change'));
    expect(await page.locator('[data-write="5"]').textContent()).toContain(h('summary'));
    expect(await page.locator('.lane-name.recovery').textContent()).toContain(h('failure'));
    expect(r.broken).toEqual([3, 5]);
    expect(await page.locator('#broken-list li').first().textContent()).toContain(h('wrule'));
    // The hover text of cluster 5 (0xa00): the write's summary, as text.
    await page.locator('#map-canvas').scrollIntoViewIfNeeded();
    const box = (await page.locator('#map-canvas').boundingBox())!;
    await page.mouse.move(box.x + 5 * 20 + 10, box.y + 10);
    expect(await page.locator('#tip').getAttribute('data-cell')).toBe('5');
    expect(await page.locator('#tip').textContent()).toContain(h('summary'));
    expect((await page.evaluate('window.__pwned')) ?? null).toBeNull();
    await page.close();
  });
});
