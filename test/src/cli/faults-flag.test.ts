/** `--faults`: its reading (default, every known value) and the CLI's exit 2 for a bad value. */
import { describe, expect, it } from 'vitest';
import { faultModeOf, faultsFlagSpec } from '../../../src/cli/faults-flag.js';
import { parseArgs } from '../../../src/cli/parse-args.js';
import { isUsageError } from '../../../src/cli/usage-error.js';
import { crashcow } from '../../helpers/crashcow-cli.js';

const read = (argv: string[]) => faultModeOf(parseArgs(argv, [faultsFlagSpec()]));

describe('--faults', () => {
  it('defaults to power and takes all', () => {
    expect(read([])).toBe('power');
    expect(read(['--faults', 'all'])).toBe('all');
    expect(read(['--faults=damage'])).toBe('damage');
  });

  it('takes each kind', () => {
    for (const k of ['power', 'eio', 'damage']) expect(read(['--faults', k])).toBe(k);
  });

  it('refuses an unknown value as a usage error naming the choices', () => {
    let err: unknown;
    try {
      read(['--faults', 'flood']);
    } catch (e) {
      err = e;
    }
    expect(isUsageError(err)).toBe(true);
    expect((err as Error).message).toMatch(/power, eio, damage, all/);
  });

  it('crashcow fuzz exits 2 on an unknown value, before running anything', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--faults', 'flood', '--runs', '1']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--faults must be one of/);
  });
});
