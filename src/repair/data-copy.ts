/**
 * Copies for aliases: when an L2 entry's cluster (or compressed stream) also belongs to metadata or
 * to another entry of the same tree, the entry gets a fresh cluster holding the bytes it reads now,
 * so a later write through one owner can never change what the other reads. The same entry of the
 * same old L2 table gets the same copy in every tree that shares the table.
 */
import { encodeCompressedDescriptor, type CompressedDescriptor } from '../../spec/format/compressed-descriptor.js';
import { wordHighHalf, wordLowHalf } from '../../spec/format/word-halves.js';
import { readOld, stageNew, type RepairContext } from './repair-context.js';

/** A fresh copy of the cluster at `hostOffsetBytes` for entry `entryIndex` of the L2 table at `l2OffsetBytes`; returns its offset. */
export function copyDataCluster(ctx: RepairContext, l2OffsetBytes: number, entryIndex: number, hostOffsetBytes: number): number {
  const key = `${l2OffsetBytes}:${entryIndex}`;
  const known = ctx.copyMemo.get(key);
  if (known !== undefined) return known;
  const offsetBytes = stageNew(ctx, readOld(ctx, hostOffsetBytes, ctx.clusterSizeBytes));
  ctx.copyMemo.set(key, offsetBytes);
  ctx.copies++;
  return offsetBytes;
}

/**
 * A fresh copy of a compressed stream, placed at the start of new clusters; returns the new entry
 * (compressed bit, sector count and offset; no COPIED) as 32-bit halves.
 */
export function copyCompressedStream(ctx: RepairContext, l2OffsetBytes: number, entryIndex: number, d: CompressedDescriptor): { hi: number; lo: number; offsetBytes: number } {
  const key = `${l2OffsetBytes}:${entryIndex}`;
  let offsetBytes = ctx.copyMemo.get(key);
  if (offsetBytes === undefined) {
    offsetBytes = stageNew(ctx, readOld(ctx, d.hostOffsetBytes, d.sizeBytes));
    ctx.copyMemo.set(key, offsetBytes);
    ctx.copies++;
  }
  const entry = encodeCompressedDescriptor(offsetBytes, d.sizeBytes, ctx.image.clusterBits);
  return { hi: wordHighHalf(entry), lo: wordLowHalf(entry), offsetBytes };
}
