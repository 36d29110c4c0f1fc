/**
 * Opening an image (qcow2_do_open) over a block device: cluster 0 through spec/format, the header
 * checked (open-checks.ts), the L1 table, refcount table and snapshot table read within their limits,
 * unknown autoclear bits cleared before the first write (FEAT-10). A dirty image is only opened here
 * read-only or after the caller repaired it (FEAT-1, LAZY-5; see builtin-engine.ts).
 */
import { hex } from '../../../spec/format/bounded-reader.js';
import { compatibleBits, incompatibleBits } from '../../../spec/format/feature-bits.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { clusterCountToSize, sizeToClusterCount } from '../../../spec/format/geometry.js';
import { decodeRefcountTableEntry } from '../../../spec/format/refcount-table-entry.js';
import { decodeSnapshotTable } from '../../../spec/format/snapshot-table.js';
import { TableView } from '../../../spec/format/table-view.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import type { CacheMode } from '../engine.js';
import { EngineError } from '../engine-error.js';
import { mutantFlags, type MutantName } from '../mutants.js';
import { checkedOffset } from './checked-offset.js';
import { commitHeaderFields } from './header-update.js';
import { checkHeaderForOpen } from './open-checks.js';
import type { GuestReader, Qcow2State } from './state.js';
import { TableCache } from './table-cache.js';

export interface StateOptions {
  readOnly?: boolean;
  cacheMode?: CacheMode;
  mutants?: readonly MutantName[];
  backing?: GuestReader;
  clock?: () => { seconds: number; nanoseconds: number };
  /** L2 cache size in tables (default: enough for the whole disk, at most 1024). */
  l2CacheTables?: number;
  /** Refcount block cache size in tables (default 256). */
  refblockCacheTables?: number;
}

/** Opens the image on `device`. Throws FormatError for malformed images, EngineError for unsupported or dirty ones. */
export function openState(device: BlockDevice, opts: StateOptions = {}): Qcow2State {
  const readOnly = opts.readOnly === true;
  const meta = readImageMeta(toByteSource(device));
  checkHeaderForOpen(meta, readOnly);
  const h = meta.header;
  const g = { ...meta.geometry };
  const cs = g.clusterSizeBytes;
  const dirty = (h.incompatibleFeatures & incompatibleBits.dirty) !== 0n;
  if (dirty && !readOnly) throw new EngineError('EDIRTY', 'FEAT-1/LAZY-5: the image is dirty; opening it read-write needs a repair first');
  const l1Bytes = device.read(Number(h.l1TableOffset), clusterCountToSize(g, sizeToClusterCount(g, h.l1EntryCount * 8)));
  l1Bytes.fill(0, h.l1EntryCount * 8);
  const s: Qcow2State = {
    device,
    g,
    header: { ...h },
    cluster0: device.read(0, cs),
    backing: opts.backing,
    l1: { offsetBytes: Number(h.l1TableOffset), entryCount: h.l1EntryCount, bytes: l1Bytes },
    reftable: { offsetBytes: Number(h.refcountTableOffset), clusterCount: h.refcountTableClusters, blockOffsets: readReftable(device, Number(h.refcountTableOffset), clusterCountToSize(g, h.refcountTableClusters), cs) },
    l2Cache: new TableCache('l2', device, cs, opts.l2CacheTables ?? Math.max(16, Math.min(1024, h.l1EntryCount + 4))),
    refblockCache: new TableCache('refblock', device, cs, opts.refblockCacheTables ?? 256),
    cacheMode: opts.cacheMode ?? 'writethrough',
    readOnly,
    lazyRefcounts: h.version >= 3 && (h.compatibleFeatures & compatibleBits.lazyRefcounts) !== 0n,
    dirty,
    mut: mutantFlags(opts.mutants),
    alloc: { freeClusterHint: 1, endClusterIndex: sizeToClusterCount(g, device.sizeBytes), quarantine: new Set(), freeByteOffsetBytes: 0 },
    snapshots: h.snapshotCount > 0 ? decodeSnapshotTable(toByteSource(device), Number(h.snapshotsOffset), h.snapshotCount) : [],
    decompressed: undefined,
    clock: opts.clock ?? (() => ({ seconds: 0, nanoseconds: 0 })),
    closed: false,
  };
  if (!readOnly && s.header.version >= 3 && s.header.autoclearFeatures !== 0n) {
    s.header.autoclearFeatures = 0n; // FEAT-10 (and FEAT-8: crashcow does not keep bitmaps up to date)
    commitHeaderFields(s, 'autoclear');
  }
  return s;
}

function readReftable(device: BlockDevice, offsetBytes: number, sizeBytes: number, cs: number): number[] {
  const view = new TableView(device.read(offsetBytes, sizeBytes));
  const out: number[] = [];
  for (let i = 0; i < view.wordCount; i++) {
    const e = decodeRefcountTableEntry(view.hi(i), view.lo(i));
    out.push(checkedOffset(e.refblockOffsetBytes, cs, cs, 'RC-1', () => `reftable[${i}] @${hex(offsetBytes + i * 8)}`));
  }
  return out;
}
