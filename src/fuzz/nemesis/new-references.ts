/**
 * P6-4 on a live image after a fault: every host cluster its metadata references now and did not
 * reference when the session opened it (the segment's base) must have been written since, by a
 * request that succeeded (a failed one never reaches the recording). A link to a cluster whose
 * write failed shows up here even when the cluster happens to read as expected. References are
 * counted by spec/walk's reference walk (the checker's), never by the engine.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { newReferencesVerdict } from '../../../spec/semantics/crash-properties.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { Verdict } from '../../../spec/semantics/verdict.js';
import { computeReferences } from '../../../spec/walk/compute-references.js';
import { FindingSink } from '../../../spec/walk/finding-sink.js';

/**
 * P6-4 of `now` against the segment's `base`, with `ops` the storage operations recorded since.
 * Holds when either image cannot be walked (the checker's findings say why elsewhere).
 */
export function newReferencesOf(base: ByteSource, now: ByteSource, ops: readonly StorageOp[]): Verdict<{ clusterIndex: number }> {
  const after = computeReferences(now, new FindingSink(0));
  const before = computeReferences(base, new FindingSink(0));
  if (after === null || before === null) return { status: 'holds' };
  const clusterBits = after.image.clusterBits;
  const written = writtenClusters(ops, clusterBits);
  const fresh: number[] = [];
  for (let c = 0; c < after.expected.clusterCount; c++) {
    if (after.expected.countOf(c) > 0 && before.expected.countOf(c) === 0) fresh.push(c);
  }
  return newReferencesVerdict(fresh, (c) => written.has(c));
}

/** Clusters (of 2^clusterBits bytes) some write or write-zeroes of `ops` touched. */
function writtenClusters(ops: readonly StorageOp[], clusterBits: number): Set<number> {
  const out = new Set<number>();
  const size = 2 ** clusterBits;
  for (const op of ops) {
    if ((op.kind !== 'write' && op.kind !== 'zeroes') || op.lengthBytes === 0) continue;
    const last = Math.floor((op.offsetBytes + op.lengthBytes - 1) / size);
    for (let c = Math.floor(op.offsetBytes / size); c <= last; c++) out.add(c);
  }
  return out;
}
