/**
 * The refcount blocks as qemu-img check judges them, last of all references: each reftable entry
 * with reserved bits (RC-1) or an unaligned offset is a corruption and skipped; a block outside the
 * image is a corruption; otherwise the block is referenced and must then be referenced exactly
 * once (RC-7), judged right after its own reference as QEMU does.
 */
import { reftableEntryClusterIndex, reftableEntryOffsetBytesClamped, reftableEntryOffsetWord } from '../format/refcount-table-entry.js';
import { CLAMPED_OFFSET_BYTES, type TableView } from '../format/table-view.js';
import { entryHex, hexOf, type EntryRef } from '../invariants/finding.js';
import { refblockOutsideFindings, refblockRefcountFindings, ReftableEntryState, reftableEntryFindings, reftableEntryState } from '../invariants/refcounts.js';
import { SourceKind } from './reference-source.js';
import { reportAddStatus, type WalkState } from './walk-state.js';

export function walkRefcountBlocks(state: WalkState, reftable: TableView): void {
  const image = state.image;
  const clusterBits = image.clusterBits;
  const clusterSizeBytes = image.clusterSizeBytes;
  for (let i = 0; i < reftable.wordCount; i++) {
    const hi = reftable.hi(i);
    const lo = reftable.lo(i);
    if ((hi | lo) === 0) continue;
    const where = `@${hexOf(image.reftable.offsetBytes + i * 8)}`;
    const entryState = reftableEntryState(lo, clusterBits);
    if (entryState !== ReftableEntryState.ok) {
      for (const f of reftableEntryFindings(entryState, i, where, entryHex(hi, lo))) state.sink.note(f.rule, f.kind, 1, () => f);
      continue;
    }
    const clusterIndex = reftableEntryClusterIndex(hi, lo, clusterBits);
    const offsetBytes = reftableEntryOffsetBytesClamped(hi, lo);
    if (clusterIndex >= state.refs.clusterCount) {
      const f = refblockOutsideFindings(i, offsetBytes === CLAMPED_OFFSET_BYTES ? reftableEntryOffsetWord(hi, lo) : offsetBytes, image.fileSizeBytes)[0];
      state.sink.note(f.rule, f.kind, 1, () => f);
      continue;
    }
    const status = state.refs.add(offsetBytes, clusterSizeBytes, SourceKind.refcountBlock, -1, i, 0);
    if (status !== 0) reportAddStatus(state, status, `reftable[${i}] refcount block`, offsetBytes, clusterSizeBytes, clusterIndex, reftableEntryRef(state, i, hi, lo));
    if (state.onDisk === null) continue;
    const referenceCount = state.refs.countOf(clusterIndex);
    if (referenceCount === 1) continue;
    for (const f of refblockRefcountFindings(i, offsetBytes, referenceCount, clusterSizeBytes, reftableEntryRef(state, i, hi, lo))) state.sink.note(f.rule, f.kind, 1, () => f);
  }
}

/** Entry `entryIndex` of the refcount table, for a witness. */
function reftableEntryRef(state: WalkState, entryIndex: number, hi: number, lo: number): EntryRef {
  return { table: 'refcount-table', tableOffsetBytes: state.image.reftable.offsetBytes, entryIndex, hi, lo };
}
