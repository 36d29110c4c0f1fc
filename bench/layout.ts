/**
 * Benchmark of `crashcow layout --html` on a large image (npm run bench:layout): makes the 1 TiB
 * preallocation=metadata image bench:check uses (16 M clusters of 64 KiB), writes its page with the
 * compiled CLI, loads the page in headless Chromium and prints the page size, the time to write
 * it, and the render time (page load until the map script marks the page rendered), as the median
 * of BENCH_ROUNDS loads. Goals: page under 2 MiB, render under 2 s.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromiumMissing, launchChromium } from '../scripts/chromium.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const GOAL_PAGE_BYTES = 2 * 1024 * 1024;
const GOAL_RENDER_MS = 2000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing !== null) {
    process.stderr.write(`bench:layout: ${missing}\n`);
    process.exitCode = 2;
    return;
  }
  const dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'crashcow-bench-layout-'));
  try {
    const image = join(dir, 'prealloc-1t.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'preallocation=metadata', image, '1T']);
    const page = join(dir, 'layout.html');
    const t0 = performance.now();
    const r = await execa(process.execPath, [cli, 'layout', '--output', 'json', '--html', page, image], { reject: false });
    const writeMs = performance.now() - t0;
    if (r.exitCode !== 0) throw new Error(`crashcow layout failed (${r.exitCode}): ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { clusterCount: number; counts: Record<string, number> };
    const pageBytes = statSync(page).size;
    const chromium = await launchChromium();
    const wallMs: number[] = [];
    const inPageMs: number[] = [];
    let cells = '';
    try {
      for (let i = 0; i < rounds; i++) {
        const tab = await chromium.context.newPage();
        const start = performance.now();
        await tab.goto(pathToFileURL(page).href);
        await tab.waitForSelector('html[data-rendered]', { timeout: 60_000 });
        wallMs.push(performance.now() - start);
        inPageMs.push(Number(await tab.getAttribute('html', 'data-render-ms')));
        cells = (await tab.getAttribute('#map-canvas', 'data-cells')) ?? '';
        await tab.close();
      }
    } finally {
      await chromium.close();
    }
    const mib = (pageBytes / 1024 / 1024).toFixed(3);
    process.stdout.write(`image: 1 TiB preallocation=metadata, ${report.clusterCount} host clusters (data ${report.counts.data}, l2 ${report.counts.l2}, refcount-block ${report.counts['refcount-block']})\n`);
    process.stdout.write(`crashcow layout --html: ${writeMs.toFixed(0)} ms to write the page; page ${pageBytes} bytes (${mib} MiB, goal < 2 MiB: ${pageBytes < GOAL_PAGE_BYTES ? 'met' : 'MISSED'}), ${cells} cells\n`);
    process.stdout.write(`render in Chromium, median of ${rounds}: ${median(wallMs).toFixed(0)} ms load-to-rendered (all: ${wallMs.map((x) => x.toFixed(0)).join(', ')}), ${median(inPageMs).toFixed(0)} ms in-page (navigation start to rendered) (goal < 2000 ms: ${median(wallMs) < GOAL_RENDER_MS ? 'met' : 'MISSED'})\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
