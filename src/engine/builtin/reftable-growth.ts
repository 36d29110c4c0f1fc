/**
 * Refcount table growth (ORD-7, qcow2_refcount_area): a larger table plus the refcount blocks that
 * describe it are laid out past the end of everything allocated, describing themselves. Blocks are
 * written and flushed, then the new table (synced), then one synced header write switches to it,
 * and only then is the old table freed.
 */
import { clusterCountToSize, clusterIndexToOffset, clusterIndexToRefblockIndex, clusterIndexToReftableIndex, sizeToClusterCount } from '../../../spec/format/geometry.js';
import { limits } from '../../../spec/format/limits.js';
import { setRefcount } from '../../../spec/format/refcount-block.js';
import { encodeRefcountTableEntry } from '../../../spec/format/refcount-table-entry.js';
import { EngineError } from '../engine-error.js';
import { noteAllocated } from './allocate.js';
import { commitHeaderFields } from './header-update.js';
import { updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/**
 * Grows the reftable so that index `neededIndex` exists. Throws EngineError EFBIG past QEMU's 8 MiB
 * refcount table limit (HDR-9, RC-9), before anything changes.
 */
export function growRefcountTable(s: Qcow2State, neededIndex: number): void {
  const entriesPerCluster = s.g.clusterSizeBytes / 8;
  const areaStart = Math.max(s.alloc.endClusterIndex, sizeToClusterCount(s.g, s.device.sizeBytes));
  const oldLength = s.reftable.blockOffsets.length;
  let entryCount = roundUp(Math.max(neededIndex + 1, Math.ceil((oldLength * 3) / 2)), entriesPerCluster);
  let blockIndexes: number[];
  for (;;) {
    blockIndexes = missingBlocks(s, areaStart, entryCount / entriesPerCluster);
    const areaEnd = areaStart + blockIndexes.length + entryCount / entriesPerCluster;
    const lastIndex = clusterIndexToReftableIndex(s.g, areaEnd - 1);
    if (lastIndex < entryCount) break;
    entryCount = roundUp(lastIndex + 1, entriesPerCluster);
  }
  if (entryCount * 8 > limits.refcountTableSizeBytesMax) {
    throw new EngineError('EFBIG', `a refcount table of ${entryCount} entries exceeds ${limits.refcountTableSizeBytesMax} bytes (HDR-9)`);
  }
  switchTable(s, areaStart, entryCount, blockIndexes);
}

/** Reftable indexes without a block among those covering the area, for a table of `tableClusters`. */
function missingBlocks(s: Qcow2State, areaStart: number, tableClusters: number): number[] {
  const offsets = s.reftable.blockOffsets;
  let blocks = 0;
  for (;;) {
    const areaEnd = areaStart + blocks + tableClusters;
    const missing: number[] = [];
    const last = clusterIndexToReftableIndex(s.g, areaEnd - 1);
    for (let ri = clusterIndexToReftableIndex(s.g, areaStart); ri <= last; ri++) {
      if (ri >= offsets.length || offsets[ri] === 0) missing.push(ri);
    }
    if (missing.length === blocks) return missing;
    blocks = missing.length;
  }
}

function switchTable(s: Qcow2State, areaStart: number, entryCount: number, blockIndexes: number[]): void {
  const tableClusters = sizeToClusterCount(s.g, entryCount * 8);
  const offsets = s.reftable.blockOffsets.slice();
  while (offsets.length < entryCount) offsets.push(0);
  blockIndexes.forEach((ri, k) => {
    offsets[ri] = clusterIndexToOffset(s.g, areaStart + k);
    s.refblockCache.getEmpty(offsets[ri]);
  });
  const tableOffset = clusterIndexToOffset(s.g, areaStart + blockIndexes.length);
  const areaEnd = areaStart + blockIndexes.length + tableClusters;
  for (let c = areaStart; c < areaEnd; c++) {
    const ri = clusterIndexToReftableIndex(s.g, c);
    setRefcount(s.refblockCache.get(offsets[ri]), clusterIndexToRefblockIndex(s.g, c), s.g.refcountOrder, 1);
    s.refblockCache.markDirty(offsets[ri]);
  }
  noteAllocated(s, areaStart, areaEnd - areaStart);
  // ORD-7 (write_blocks): the new blocks and the area's refcounts are on disk first.
  s.refblockCache.flush();
  const table = encodeReftable(offsets, clusterCountToSize(s.g, tableClusters));
  // MUT-6 reftable-switch-early: the header switch goes out before the new table (ORD-7).
  const tableFirst = !s.mut['reftable-switch-early'];
  if (tableFirst) writeSynced(s, tableOffset, table); // ORD-7 (write_table)
  const old = { offsetBytes: s.reftable.offsetBytes, clusterCount: s.reftable.clusterCount };
  s.header.refcountTableOffset = BigInt(tableOffset);
  s.header.refcountTableClusters = tableClusters;
  commitHeaderFields(s, 'reftable'); // ORD-7 (switch_table): one synced pointer write
  if (!tableFirst) writeSynced(s, tableOffset, table);
  s.reftable.offsetBytes = tableOffset;
  s.reftable.clusterCount = tableClusters;
  s.reftable.blockOffsets = offsets;
  updateRefcount(s, old.offsetBytes, clusterCountToSize(s.g, old.clusterCount), -1);
}

/** Encodes refblock offsets as a reftable of `sizeBytes` (RC-1). */
function encodeReftable(offsets: readonly number[], sizeBytes: number): Uint8Array {
  const out = new Uint8Array(sizeBytes);
  const view = new DataView(out.buffer);
  offsets.forEach((o, i) => view.setBigUint64(i * 8, encodeRefcountTableEntry(o)));
  return out;
}

function writeSynced(s: Qcow2State, offsetBytes: number, bytes: Uint8Array): void {
  s.device.write(offsetBytes, bytes);
  s.device.flush();
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}
