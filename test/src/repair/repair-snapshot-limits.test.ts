/**
 * `crashcow check -r all` on a snapshot table past QEMU's 64 MiB (QIMPL-SN-TABLE), built as QEMU's
 * own test of that limit builds it: the repair drops the snapshots that end past the limit, says so,
 * and leaves an image that every QEMU build of the machine checks clean, lists with the kept
 * snapshots and opens for I/O.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRepeatedSnapshotTable, snapshotEntryBytes } from '../../helpers/oversized-snapshot-table.js';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { presentQemuBuilds } from '../../helpers/qemu-builds.js';
import { qemuImgOk, qemuIo, qemuTools, tempDir } from '../../helpers/qemu.js';

const LIMIT_BYTES = 64 * 1024 * 1024;
/** 512 entries of 131126 bytes (padded to 131128): the last one ends past 64 MiB, the others do not. */
const entry = { idBytes: 65535, nameBytes: 65535, extraBytes: 16 };
const COUNT = 512;

describe('check -r all on a snapshot table past 64 MiB', () => {
  const tmp = tempDir('crashcow-sn-limit-');
  const image = tmp.path('big-table.qcow2');
  afterAll(() => tmp.cleanup());
  beforeAll(async () => {
    await qemuImgOk(['create', '-q', '-f', 'qcow2', image, '64M']);
    await qemuIo(image, ['write -P 0x5a 0 64k']);
    appendRepeatedSnapshotTable(image, entry, COUNT);
    const paddedBytes = Math.ceil(snapshotEntryBytes(entry) / 8) * 8;
    expect((COUNT - 1) * paddedBytes + snapshotEntryBytes(entry)).toBeGreaterThan(LIMIT_BYTES);
    expect((COUNT - 2) * paddedBytes + snapshotEntryBytes(entry)).toBeLessThanOrEqual(LIMIT_BYTES);
  }, 60_000);

  it('the check stops at the limit; the repair drops the last snapshot, says so and exits 0', async () => {
    const before = await crashcow(['check', image]);
    expect(before.exitCode).toBe(1);
    expect(before.stdout).toContain('QIMPL-SN-TABLE');
    const repaired = await crashcow(['check', '-r', 'all', image]);
    expect(repaired.stdout).toMatch(/Repaired: QIMPL-SN-TABLE snapshot table entries 511\.\.511 @0x[0-9a-f]+: 1 snapshot entries dropped: .*past QEMU's limit of 67108864/);
    expect(repaired.stdout).not.toContain('Nothing needed repair');
    expect(repaired.exitCode).toBe(0);
  }, 60_000);

  it.each(presentQemuBuilds().map((b) => [b.label, b] as const))('%s checks the repaired image clean, lists 511 snapshots and reads the data', async (_label, b) => {
    const q = qemuTools(b.dir);
    const check = await q.img(['check', image]);
    expect(check.stdout + check.stderr).toContain('No errors were found on the image.');
    expect(check.exitCode).toBe(0);
    const info = JSON.parse(await q.imgOk(['info', '--output=json', image])) as { snapshots?: unknown[] };
    expect(info.snapshots?.length).toBe(511);
    await q.io(image, ['read -P 0x5a 0 64k']);
  }, 60_000);
});
