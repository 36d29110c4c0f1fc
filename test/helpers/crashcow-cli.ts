/**
 * Runs the compiled crashcow CLI (dist/, built by `npm test`'s pretest) as a user would.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const mainJs = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export async function crashcow(args: string[], opts: { cwd?: string } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} missing: run npm run build (npm test does it)`);
  const r = await execa(process.execPath, [mainJs, ...args], { reject: false, cwd: opts.cwd, encoding: 'utf8' });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
