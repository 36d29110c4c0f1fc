/**
 * Bitmap references, as qemu-img check counts them when the bitmaps autoclear bit is set: the
 * directory, each bitmap table, and each data cluster a table names. A table entry breaking BM-3
 * stops QEMU's check (a check error here); in a bitmap not in use the last data cluster's bits past
 * the end of the disk must be zero (BM-4).
 */
import { readPadded } from '../format/byte-source.js';
import { bitmapFlags, bitmapTableEntryDataOffsetBytes, type BitmapDirectoryEntry } from '../format/bitmaps.js';
import { offsetToClusterIndex } from '../format/geometry.js';
import { TableView } from '../format/table-view.js';
import { bitmapTableEntryFindings, bitmapTailFindings } from '../invariants/bitmaps.js';
import { hexOf } from '../invariants/finding.js';
import { requestRangeFindings } from '../invariants/limits.js';
import { SourceKind } from './reference-source.js';
import { clampOffset, forEachTableChunk } from './table-chunks.js';
import { reportAddStatus, spend, type WalkState } from './walk-state.js';

export function walkBitmaps(state: WalkState): void {
  const dir = state.image.bitmapDirectory;
  if (dir === null) return;
  const status = state.refs.add(dir.offsetBytes, dir.sizeBytes, SourceKind.bitmapDirectory, -1, 0, 0);
  if (status !== 0) reportAddStatus(state, status, `bitmap directory @${hexOf(dir.offsetBytes)}`, dir.offsetBytes, dir.sizeBytes, 0);
  state.image.bitmaps.forEach((bitmap, k) => walkBitmap(state, bitmap, k));
}

function walkBitmap(state: WalkState, bitmap: BitmapDirectoryEntry, k: number): void {
  const image = state.image;
  const clusterSizeBytes = image.clusterSizeBytes;
  const tableOffset = clampOffset(bitmap.tableOffset);
  const where = `bitmap[${k}] ${JSON.stringify(bitmap.name)} table @${hexOf(bitmap.tableOffset)}`;
  const status = state.refs.add(tableOffset, bitmap.tableEntryCount * 8, SourceKind.bitmapTable, -1, k, 0);
  if (status !== 0) reportAddStatus(state, status, where, tableOffset, bitmap.tableEntryCount * 8, 0);
  const unreadable = requestRangeFindings('the bitmap table', bitmap.tableOffset, BigInt(bitmap.tableEntryCount) * 8n, where, 'qemu-img 7.2 stops the check with an I/O error.');
  if (unreadable.length > 0) {
    state.sink.addAll(unreadable);
    return;
  }
  let lastDataOffset = 0;
  forEachTableChunk(image.source, tableOffset, bitmap.tableEntryCount, 8, (chunk, first) => {
    if (!spend(state, chunk.length)) return;
    const table = new TableView(chunk);
    for (let w = 0; w < table.wordCount; w++) {
      const hi = table.hi(w);
      const lo = table.lo(w);
      const e = first + w;
      if ((hi | lo) === 0) continue;
      const bad = bitmapTableEntryFindings(hi, lo, clusterSizeBytes, `${where} entry ${e}`);
      if (bad.length > 0) {
        state.sink.note(bad[0].rule, bad[0].kind, 1, () => bad[0]);
        continue;
      }
      const dataOffset = bitmapTableEntryDataOffsetBytes(hi, lo);
      if (dataOffset === 0) continue;
      if (e === bitmap.tableEntryCount - 1) lastDataOffset = dataOffset;
      const s = state.refs.add(dataOffset, clusterSizeBytes, SourceKind.bitmapData, -1, k, e);
      if (s !== 0) reportAddStatus(state, s, `${where} entry ${e}`, dataOffset, clusterSizeBytes, offsetToClusterIndex(image.meta.geometry, dataOffset), { table: 'bitmap-table', tableOffsetBytes: tableOffset, entryIndex: e, hi, lo });
    }
  });
  if (state.onDisk !== null && lastDataOffset !== 0 && (bitmap.flags & bitmapFlags.inUse) === 0) checkTail(state, bitmap, lastDataOffset, where);
}

function checkTail(state: WalkState, bitmap: BitmapDirectoryEntry, lastDataOffset: number, where: string): void {
  const image = state.image;
  const bitsPerCluster = image.clusterSizeBytes * 8;
  const totalBits = Math.ceil(image.meta.geometry.virtualSizeBytes / 2 ** bitmap.granularityBits);
  const validBits = totalBits - (bitmap.tableEntryCount - 1) * bitsPerCluster;
  if (validBits <= 0 || validBits >= bitsPerCluster) return;
  const cluster = readPadded(image.source, lastDataOffset, image.clusterSizeBytes);
  for (const f of bitmapTailFindings(cluster, validBits, `${where} entry ${bitmap.tableEntryCount - 1}`)) state.sink.note(f.rule, f.kind, 1, () => f);
}
