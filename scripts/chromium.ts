/**
 * The system's Chromium, driven by playwright-core, for the browser test and bench:layout: headless,
 * without sandbox, GPU or any background network, in a fresh profile directory removed on close.
 * No browser is downloaded: the binary is Debian's chromium (scripts/ensure-chromium.sh installs
 * it), or CRASHCOW_CHROMIUM.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CRASHCOW_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Null when Chromium is there (after trying to install it, as scripts/ensure-chromium.sh does),
 * else the reason it is not, with what to do.
 */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  const script = fileURLToPath(new URL(existsSync(fileURLToPath(new URL('./ensure-chromium.sh', import.meta.url))) ? './ensure-chromium.sh' : '../../scripts/ensure-chromium.sh', import.meta.url));
  try {
    execFileSync('sh', [script], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    return `Chromium is missing at ${CHROMIUM_PATH} and could not be installed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
  return existsSync(CHROMIUM_PATH) ? null : `Chromium is missing at ${CHROMIUM_PATH} after scripts/ensure-chromium.sh`;
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts headless Chromium in a fresh profile. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'crashcow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, chromiumSandbox: false, offline: true });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
