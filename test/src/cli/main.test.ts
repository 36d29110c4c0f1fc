import { describe, expect, it } from 'vitest';
import { parseArgs, flagInt, flagChoice } from '../../../src/cli/parse-args.js';
import { isUsageError } from '../../../src/cli/usage-error.js';
import { crashcow } from '../../helpers/crashcow-cli.js';

describe('crashcow entry point', () => {
  it('lists commands on help and exits 0', async () => {
    const r = await crashcow(['help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/usage: crashcow <command>/);
  });

  it('rejects an unknown command with exit 2 and no stack trace', async () => {
    const r = await crashcow(['frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});

describe('parseArgs', () => {
  const specs = [
    { name: 'output', takesValue: true },
    { name: 'repair', short: 'r', takesValue: true },
    { name: 'verbose', short: 'v', takesValue: false },
    { name: 'cmd', short: 'c', takesValue: true, repeatable: true },
  ];

  it('reads long, short, = and repeated flags, and positionals after --', () => {
    const a = parseArgs(['--output=json', '-r', 'all', '-v', '-c', 'a', '-c', 'b', 'img', '--', '-x'], specs);
    expect(a.flags.get('output')).toEqual(['json']);
    expect(a.flags.get('repair')).toEqual(['all']);
    expect(a.flags.get('verbose')).toEqual(['true']);
    expect(a.flags.get('cmd')).toEqual(['a', 'b']);
    expect(a.positionals).toEqual(['img', '-x']);
  });

  it('throws UsageError for unknown flags, missing values and repeats', () => {
    for (const argv of [['--nope'], ['--output'], ['--output', 'a', '--output', 'b'], ['-v=1']]) {
      let caught: unknown;
      try {
        parseArgs(argv, specs);
      } catch (err) {
        caught = err;
      }
      expect(isUsageError(caught), argv.join(' ')).toBe(true);
    }
  });

  it('validates integers and choices', () => {
    const a = parseArgs(['--output', 'xml', '--repair', '12x'], specs);
    expect(() => flagChoice(a, 'output', ['human', 'json'] as const, 'human')).toThrowError(/one of human, json/);
    expect(() => flagInt(a, 'repair', 0)).toThrowError(/non-negative integer/);
    expect(flagInt(parseArgs([], specs), 'repair', 7)).toBe(7);
  });
});

describe('command registry', () => {
  it('loads every command under the name it is registered with', async () => {
    const { commandEntries } = await import('../../../src/cli/commands/index.js');
    for (const entry of commandEntries) expect((await entry.load()).name).toBe(entry.name);
  });
});
