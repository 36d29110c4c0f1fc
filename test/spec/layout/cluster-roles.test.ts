/**
 * clusterRoles on images qemu-img made: the roles of a fresh image's clusters, a leaked cluster
 * (stored refcount, no reference), a free one (discarded), snapshot tables; and the map data's
 * aggregation keeping every cluster's role in the counts.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ROLE_ID } from '../../../spec/layout/cluster-role.js';
import { clusterRoles } from '../../../spec/layout/cluster-roles.js';
import { roleCounts } from '../../../spec/layout/role-counts.js';
import { FileByteSource } from '../../../src/io/file-byte-source.js';
import { clusterMapData } from '../../../src/report/cluster-map-data.js';
import { escapeHtml, jsonForScript } from '../../../src/report/html-escape.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { Layout } from '../../src/check/damage.js';

const tmp = tempDir('crashcow-layout-');
afterAll(() => tmp.cleanup());

function rolesOf(path: string) {
  const source = new FileByteSource(path);
  try {
    return clusterRoles(source)!;
  } finally {
    source.close();
  }
}

describe('clusterRoles', () => {
  it('names each cluster of a written image, and tells leaked from free', async () => {
    const path = tmp.path('a.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '16M']);
    await qemuIo(path, ['write -P 1 0 256k', 'discard 64k 64k']);
    const before = rolesOf(path);
    expect(roleCounts(before.roles)).toMatchObject({ header: 1, 'refcount-table': 1, l1: 1, l2: 1, 'refcount-block': 1, data: 3, free: 1, leaked: 0 });
    const freeCluster = before.roles.indexOf(ROLE_ID.free);
    const l = new Layout(path);
    l.setStoredRefcount(freeCluster, 1);
    const after = rolesOf(path);
    expect(after.roles[freeCluster]).toBe(ROLE_ID.leaked);
    expect(roleCounts(after.roles)).toMatchObject({ data: 3, free: 0, leaked: 1 });
    expect(after.complete).toBe(true);
  });

  it('counts snapshot tables and the snapshot\'s L1 table', async () => {
    const path = tmp.path('s.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '16M']);
    await qemuIo(path, ['write -P 1 0 64k']);
    await qemuImgOk(['snapshot', '-c', 'one', path]);
    const counts = roleCounts(rolesOf(path).roles);
    expect(counts['snapshot-table']).toBe(1);
    expect(counts.l1).toBe(2);
  });

  it('gives null for a file that is not qcow2', () => {
    const path = tmp.path('raw.img');
    writeFileSync(path, new Uint8Array(4096));
    expect(rolesOf(path)).toBeNull();
  });
});

describe('clusterMapData', () => {
  it('aggregates past the cell limit and keeps every cluster in the runs', () => {
    const roles = new Uint8Array(100_000).fill(ROLE_ID.data);
    roles[0] = ROLE_ID.header;
    roles[50_000] = ROLE_ID.l2;
    const map = clusterMapData({ clusterSizeBytes: 65536, fileSizeBytes: 100_000 * 65536, roles, complete: true }, [], new Map());
    expect(map.clustersPerCell).toBe(4);
    const totals = new Map<number, number>();
    for (const [cells, comp] of map.runs) for (const pair of comp.split(',')) {
      const [id, n] = pair.split(':').map(Number);
      totals.set(id, (totals.get(id) ?? 0) + cells * n);
    }
    expect(totals.get(ROLE_ID.header)).toBe(1);
    expect(totals.get(ROLE_ID.l2)).toBe(1);
    expect(totals.get(ROLE_ID.data)).toBe(99_998);
    expect(map.runs.length).toBe(4);
    expect(map.runs[0]).toEqual([1, `${ROLE_ID.data}:3,${ROLE_ID.header}:1`]);
  });
});

describe('escaping', () => {
  it('leaves no markup in text and no script end in JSON', () => {
    expect(escapeHtml(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
    const json = jsonForScript({ s: '</script><!--\u2028' });
    expect(json).not.toMatch(/[<>\u2028]/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!--\u2028' });
  });
});
