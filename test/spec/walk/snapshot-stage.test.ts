/**
 * The snapshot stage on tables past QEMU's limits, laid into an image qemu-img made: a check error
 * naming the rule once (the FormatError's own "RULE at WHERE:" prefix is not repeated in the
 * detail), and the check stops there.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { checkImageOf } from '../../../spec/walk/check-image-context.js';
import { FindingSink } from '../../../spec/walk/finding-sink.js';
import { openStage } from '../../../spec/walk/open-stage.js';
import { snapshotStage } from '../../../spec/walk/snapshot-stage.js';
import { withSnapshotTable, type SnapshotEntrySpec } from '../../helpers/oversized-snapshot-table.js';
import { qemuImgOk, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-snapshot-stage-');
afterAll(() => tmp.cleanup());
let base = new Uint8Array(0);

beforeAll(async () => {
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', tmp.path('base.qcow2'), '1M']);
  base = new Uint8Array(readFileSync(tmp.path('base.qcow2')));
});

/** The findings of the open and snapshot stages, and whether the check may go on. */
function stages(entries: SnapshotEntrySpec[]): { goesOn: boolean; findings: string[] } {
  const source = bytesSource(withSnapshotTable(base, entries.map((entry) => ({ entry }))));
  const sink = new FindingSink();
  const meta = openStage(source, sink);
  expect(meta).not.toBeNull();
  const goesOn = snapshotStage(checkImageOf(source, meta!), sink);
  return { goesOn, findings: sink.findings.map((f) => `${f.rule}/${f.kind} ${f.where}: ${f.detail}`) };
}

describe('snapshotStage', () => {
  it('reads a sound table and lets the check go on', () => {
    expect(stages([{ idBytes: 1, nameBytes: 2, extraBytes: 16 }])).toEqual({ goesOn: true, findings: [] });
  });

  it('stops at more extra data than QEMU reads, naming the rule once', () => {
    const { goesOn, findings } = stages([{ idBytes: 1, nameBytes: 2, extraBytes: 1050 }]);
    expect(goesOn).toBe(false);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^QIMPL-SN-EXTRA\/check-error snapshot\[0\]\.extra_data_size @0x[0-9a-f]+: extra data of 1050 bytes exceeds 1024$/);
  });
});
