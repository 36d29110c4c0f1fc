/**
 * damageTargets: the metadata of a consistent image that media damage is aimed at, read through
 * spec/ (the header, the layout's cluster roles, the snapshot table codec), never an engine: the
 * header, the active L1 table (and snapshot L1 tables), every L2 table, the refcount table, every
 * refcount block and the snapshot table, each with its exact extent and entry size, so that bit
 * flips and zeroed sectors land in metadata and, mostly, in entries in use.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { hex } from '../../../spec/format/bounded-reader.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { decodeSnapshotTable } from '../../../spec/format/snapshot-table.js';
import { clusterRoles } from '../../../spec/layout/cluster-roles.js';
import { ROLE_ID, type RoleName } from '../../../spec/layout/cluster-role.js';

/** One structure damage may hit: host bytes [offsetBytes, +lengthBytes) of `role`, in entries of `entrySizeBytes`. */
export interface DamageTarget {
  role: RoleName;
  offsetBytes: number;
  lengthBytes: number;
  entrySizeBytes: number;
  /** "L2 table @0x30000". */
  label: string;
}

/** The roles damage is aimed at, the order in which damageTargets lists them. */
export const TARGET_ROLES: readonly RoleName[] = ['header', 'l1', 'l2', 'refcount-table', 'refcount-block', 'snapshot-table'];

const LABELS: Partial<Record<RoleName, string>> = {
  header: 'header',
  l1: 'L1 table',
  l2: 'L2 table',
  'refcount-table': 'refcount table',
  'refcount-block': 'refcount block',
  'snapshot-table': 'snapshot table',
};

/**
 * The metadata structures of the image behind `source` (which must be readable: a consistent
 * image a run produced). Tables listed by the header get their exact extent; L2 tables, refcount
 * blocks and snapshot L1 tables are whole clusters of that role.
 * @throws FormatError when cluster 0 cannot be read
 */
export function damageTargets(source: ByteSource): DamageTarget[] {
  const meta = readImageMeta(source);
  const h = meta.header;
  const g = meta.geometry;
  const cs = g.clusterSizeBytes;
  const out: DamageTarget[] = [];
  const add = (role: RoleName, offsetBytes: number, lengthBytes: number, entrySizeBytes: number): void => {
    const end = Math.min(offsetBytes + lengthBytes, source.sizeBytes);
    if (end > offsetBytes) out.push({ role, offsetBytes, lengthBytes: end - offsetBytes, entrySizeBytes, label: `${LABELS[role]} @${hex(offsetBytes)}` });
  };
  add('header', 0, h.headerLengthBytes, 1);
  const activeL1 = Number(h.l1TableOffset);
  add('l1', activeL1, h.l1EntryCount * 8, 8);
  add('refcount-table', Number(h.refcountTableOffset), h.refcountTableClusters * cs, 8);
  if (h.snapshotCount > 0) {
    const entries = decodeSnapshotTable(source, Number(h.snapshotsOffset), h.snapshotCount);
    const last = entries[entries.length - 1];
    add('snapshot-table', Number(h.snapshotsOffset), last.entryOffsetBytes + last.entrySizeBytes - Number(h.snapshotsOffset), 1);
  }
  const roles = clusterRoles(source);
  if (roles === null) return out;
  const activeL1Clusters = new Set<number>();
  for (let k = Math.floor(activeL1 / cs); k * cs < activeL1 + h.l1EntryCount * 8; k++) activeL1Clusters.add(k);
  for (let k = 0; k < roles.roles.length; k++) {
    const r = roles.roles[k];
    if (r === ROLE_ID.l2) add('l2', k * cs, cs, g.l2EntrySizeBytes);
    else if (r === ROLE_ID['refcount-block']) add('refcount-block', k * cs, cs, 8);
    else if (r === ROLE_ID.l1 && !activeL1Clusters.has(k)) add('l1', k * cs, cs, 8);
  }
  return out;
}
