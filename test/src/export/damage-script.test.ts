/**
 * The exported test of a damage case, run by bash against a stand-in qemu-img that repairs, refuses
 * or fails as told (no QEMU needed): both outcomes P7 allows print the .out's line, everything else
 * prints what went wrong; the damage's bytes land at their offsets; free text from the case stays
 * in comments.
 */
import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { planDamage } from '../../../src/export/damage-plan.js';
import type { IotestPlan } from '../../../src/export/iotest-plan.js';
import { writeIotest } from '../../../src/export/write-iotest.js';
import type { FuzzCase } from '../../../src/fuzz/case/fuzz-case.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';

const dir = mkdtempSync(join(tmpdir(), 'crashcow-damage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = (name: string): FuzzCase => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../corpus/${name}.json`, import.meta.url)), 'utf8'));

/** The damaged byte of qemu-damage-copied-on-zero-cluster (COPIED, bit 7, of an L2 entry). */
const DAMAGED_OFFSET_BYTES = 2584;

/** qemu-img as told by REPAIR_EXIT, REPAIR_SAYS, REPAIR_CLEARS (clear the damaged byte) and CHECK_EXIT. */
const FAKE_QEMU_IMG = `#!/usr/bin/env bash
if [ "$4" = -r ]; then
    [ -n "\${REPAIR_SAYS-}" ] && echo "$REPAIR_SAYS"
    [ "\${REPAIR_CLEARS-}" = 1 ] && printf '\\x00' | dd of="$6" bs=1 seek=${DAMAGED_OFFSET_BYTES} conv=notrunc status=none
    exit "\${REPAIR_EXIT:-0}"
fi
[ "\${CHECK_EXIT:-0}" = 0 ] && echo "No errors were found on the image." || echo "1 errors were found on the image."
exit "\${CHECK_EXIT:-0}"
`;

function plan(c: FuzzCase, image: Uint8Array): IotestPlan {
  return {
    case: c, casePath: 'case.json', imageBytes: image, backing: null, recovery: 'qemu-img check -r all', insideRecoveryStateId: null,
    leaksAllowed: false, witness: null, damage: planDamage(c, MemoryDevice.from(image), 'case.json'), segment: null, stateId: 'clean', rebuiltWith: 'qemu-io test',
  };
}

const fake = join(dir, 'qemu-img');
writeFileSync(fake, FAKE_QEMU_IMG);
chmodSync(fake, 0o755);
const name = 'damage-test';
const c = corpus('qemu-damage-copied-on-zero-cluster');
c.name = name;
(c.fault as { damage: { where: string } }).damage.where = `entry $(touch ${join(dir, 'INJECTED')}) '\ntouch ${join(dir, 'INJECTED')}`;
writeIotest(plan(c, new Uint8Array(4096)), join(dir, 'out'), name);
const script = join(dir, 'out', name);

async function run(env: Record<string, string>): Promise<{ exitCode: number; all: string }> {
  const r = await execa(script, ['--raw'], { env: { QEMU_IMG: fake, ...env }, reject: false, all: true });
  return { exitCode: r.exitCode ?? -1, all: r.all ?? '' };
}

const KEPT = 'repaired and then checked clean, or refused saying why';

describe('the exported test of a damage case', () => {
  it('expects the one line both allowed outcomes print', () => {
    expect(readFileSync(`${script}.out`, 'utf8')).toBe(`QA output created by ${name}\n\n=== Damage, then qemu-img check -r all, then qemu-img check ===\n${KEPT}\n`);
  });

  it('prints that line for a repair that clears the damaged bit and checks clean, and for a refusal that says why', async () => {
    expect((await run({ REPAIR_CLEARS: '1' })).all).toContain(KEPT);
    expect((await run({ REPAIR_EXIT: '1', REPAIR_SAYS: 'cannot repair this' })).all).toContain(KEPT);
  });

  it('writes the damage before the repair, at its offset', async () => {
    const keep = join(dir, 'keep-image');
    writeFileSync(keep, `#!/usr/bin/env bash\n[ "$4" = -r ] && cp -- "$6" ${join(dir, 'damaged.img')}\nexit 0\n`);
    chmodSync(keep, 0o755);
    await execa(script, ['--raw'], { env: { QEMU_IMG: keep }, reject: false });
    const damaged = readFileSync(join(dir, 'damaged.img'));
    expect(damaged.length).toBe(4096);
    expect(damaged[DAMAGED_OFFSET_BYTES]).toBe(0x80);
    expect(damaged.filter((b) => b !== 0).length).toBe(1);
  });

  it.each([
    ['a success that leaves the damaged bit', {}, /reported success and qemu-img check finds no errors, but the damaged bits \(0xa18\) are still as the damage set them/],
    ['a success after which qemu-img check finds errors', { REPAIR_CLEARS: '1', CHECK_EXIT: '2' }, /reported success \(exit status 0\), but qemu-img check then says:\n1 errors were found/],
    ['a refusal without a reason', { REPAIR_EXIT: '1' }, /refused \(exit status 1\) without saying why/],
    ['exit 2', { REPAIR_EXIT: '2', REPAIR_SAYS: 'ERROR something left' }, /neither repaired nor refused \(exit status 2\); it printed:\nERROR something left/],
  ])('prints what went wrong for %s, not the .out\'s line', async (_what, env, message) => {
    const r = await run(env as Record<string, string>);
    expect(r.all).toMatch(message);
    expect(r.all).not.toContain(KEPT);
  });

  it('keeps the damage\'s words in comments', () => {
    expect(existsSync(join(dir, 'INJECTED'))).toBe(false);
    for (const line of readFileSync(script, 'utf8').split('\n')) if (line.includes('touch')) expect(line.trimStart().startsWith('#'), line).toBe(true);
  });
});
