/**
 * The checker fills the structured witnesses of its L2-2, RC-6 and AL-4 findings on images made by
 * qemu-img and then damaged, and the report with witnesses still matches check.schema.json.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { crashcowCheck, schemaErrors } from './compare-with-qemu.js';
import { Layout, writeU64 } from './damage.js';

const tmp = tempDir('crashcow-witness-');
afterAll(() => tmp.cleanup());

async function base(p: string): Promise<Layout> {
  await qemuImgOk(['create', '-q', '-f', 'qcow2', p, '16M']);
  await qemuIo(p, ['write -P 1 0 128k']);
  return new Layout(p);
}

describe('checker witnesses', () => {
  it('L2-2 and RC-6 on a data cluster whose stored refcount is 2', async () => {
    // Arrange
    const p = tmp.path('copied.qcow2');
    const l = await base(p);
    const dataOffset = l.dataOffset(0, 1);
    const cluster = l.clusterOf(dataOffset);
    l.setStoredRefcount(cluster, 2);
    // Act
    const report = crashcowCheck(p);
    // Assert
    const copied = report.findings.find((f) => f.rule === 'L2-2');
    expect(copied?.witness).toMatchObject({ table: 'l2', tableOffsetBytes: l.l2Offset(0), entryIndex: 1, referencedOffsetBytes: dataOffset, clusterIndex: cluster, copied: true, storedRefcount: 2 });
    expect(copied?.witness?.rawEntry).toMatch(/^8000000000[0-9a-f]{6}$/);
    const leak = report.findings.find((f) => f.rule === 'RC-6');
    expect(leak?.witness).toEqual({ clusterIndex: cluster, storedRefcount: 2, referenceCount: 1 });
    expect(schemaErrors(report)).toBe('');
  });

  it('AL-4 on an L2 entry referencing a cluster past the end of the file', async () => {
    // Arrange
    const p = tmp.path('past-eof.qcow2');
    const l = await base(p);
    const pastEnd = 0x4000000;
    writeU64(p, l.l2EntryOffset(0, 0), (1n << 63n) | BigInt(pastEnd));
    // Act
    const report = crashcowCheck(p);
    // Assert
    const al4 = report.findings.find((f) => f.rule === 'AL-4');
    expect(al4?.witness).toMatchObject({ table: 'l2', tableOffsetBytes: l.l2Offset(0), entryIndex: 0, snapshotIndex: -1, referencedOffsetBytes: pastEnd, referencedSizeBytes: 0x10000 });
    expect(schemaErrors(report)).toBe('');
  });
});
