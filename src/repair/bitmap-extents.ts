/**
 * The byte ranges of the persistent bitmaps (directory, tables, data clusters), read through the
 * shared bitmap walk (spec/walk). Empty when the image has no bitmaps or QEMU would ignore them (FEAT-8).
 */
import { clusterIndexToOffset } from '../../spec/format/geometry.js';
import { FindingSink } from '../../spec/walk/finding-sink.js';
import { walkBitmaps } from '../../spec/walk/bitmap-walk.js';
import { ADD_OK, type ReferenceSink } from '../../spec/walk/reference-source.js';
import { walkStateOf } from '../../spec/walk/walk-state.js';
import type { RepairContext } from './repair-context.js';

/** [offsetBytes, sizeBytes] pairs inside the file. */
export function bitmapExtentsOf(ctx: RepairContext): [number, number][] {
  if (ctx.image.bitmapDirectory === null) return [];
  const out: [number, number][] = [];
  const sink: ReferenceSink = {
    clusterCount: Number.MAX_SAFE_INTEGER,
    countOf: () => 0,
    add: (offsetBytes, sizeBytes) => (out.push([offsetBytes, sizeBytes]), ADD_OK),
    addCluster: (k) => (out.push([clusterIndexToOffset(ctx.geometry, k), ctx.clusterSizeBytes]), ADD_OK),
  };
  walkBitmaps(walkStateOf(ctx.image, sink, new FindingSink(0), null));
  return out.filter(([o, s]) => s > 0 && o < ctx.image.fileSizeBytes);
}
