/**
 * Runs the compiled crashcow CLI (dist/, built by `npm test`'s pretest) as a user would. The
 * variables that name a fuzz shard are left out of its environment (a test suite run inside a
 * sharded CI job must not shard the tests' campaigns); `opts.env` sets the ones a test wants.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHARD_VARIABLES } from '../../src/cli/shard-of.js';

const mainJs = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export async function crashcow(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} missing: run npm run build (npm test does it)`);
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of SHARD_VARIABLES) delete env[name];
  const r = await execa(process.execPath, [mainJs, ...args], { reject: false, cwd: opts.cwd, env: { ...env, ...opts.env }, extendEnv: false, encoding: 'utf8' });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
