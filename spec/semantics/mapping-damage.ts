/**
 * mappingDamage: which guest clusters of an image's active view a damage reached, for P7-3
 * (damage-repair-properties.ts). A guest cluster's reading depends on the header's mapping fields
 * (everything but the refcount-table, snapshot, compatible and autoclear fields and the refcount
 * order), its L1 entry, its L2 entry and its data cluster. A cluster counts as damaged when the
 * damaged image maps it differently (or cannot map it: the spec's reading throws), or when a
 * changed byte lies in the data it read. A flag that changes no mapping (COPIED, reserved bits)
 * leaves the cluster undamaged: a repair must then keep what it reads.
 *
 * Takes the image before and after the damage and the changed byte ranges; reads both through the
 * spec's mapping (Qcow2Mapping), never an engine. Pure.
 */
import type { ByteSource } from '../format/byte-source.js';
import { isFormatError } from '../format/format-error.js';
import { readImageMeta, type ImageMeta } from '../format/image-meta.js';
import { newLayerRun, RunFlag } from './layer.js';
import { Qcow2Mapping } from './qcow2-mapping.js';

/** Host bytes [offsetBytes, offsetBytes + lengthBytes). */
export interface ByteRange {
  offsetBytes: number;
  lengthBytes: number;
}

export interface MappingDamage {
  /** True when the damage reached every guest cluster (a mapping field of the header, or an image the spec cannot map). */
  all: boolean;
  /** Why `all` is set. */
  reason?: string;
  /** Guest cluster indexes the damage reached (when not `all`). */
  clusters: ReadonlySet<number>;
  clusterSizeBytes: number;
}

/**
 * Header bytes no guest mapping depends on: refcount_table_offset, refcount_table_clusters,
 * nb_snapshots, snapshots_offset (48..72), compatible and autoclear features, refcount_order (80..100).
 */
const HEADER_NON_MAPPING_RANGES: readonly ByteRange[] = [
  { offsetBytes: 48, lengthBytes: 24 },
  { offsetBytes: 80, lengthBytes: 20 },
];

/**
 * The guest clusters of `clean`'s active view that the damage which made `damaged` (changing the
 * bytes in `changed`, or the file's size) reached. `clean` must be a readable image.
 * @throws FormatError when `clean` itself cannot be mapped (the caller's image is not consistent)
 */
export function mappingDamage(clean: ByteSource, damaged: ByteSource, changed: readonly ByteRange[]): MappingDamage {
  const meta = readImageMeta(clean);
  const clusterSizeBytes = meta.geometry.clusterSizeBytes;
  const all = (reason: string): MappingDamage => ({ all: true, reason, clusters: new Set(), clusterSizeBytes });
  if (changed.some((r) => touchesHeaderMapping(meta, r))) return all('a header field or extension that maps guest clusters was damaged');
  let damagedMeta: ImageMeta;
  let damagedMapping: Qcow2Mapping;
  try {
    damagedMeta = readImageMeta(damaged);
    damagedMapping = new Qcow2Mapping(damagedMeta, damaged);
  } catch (err) {
    if (!isFormatError(err) && !(err instanceof RangeError)) throw err;
    return all(`the damaged image cannot be mapped: ${(err as Error).message}`);
  }
  if (damagedMeta.geometry.virtualSizeBytes !== meta.geometry.virtualSizeBytes || damagedMeta.geometry.clusterSizeBytes !== clusterSizeBytes) {
    return all('the damaged header gives another geometry');
  }
  const cleanMapping = new Qcow2Mapping(meta, clean);
  const clusters = new Set<number>();
  const count = Math.ceil(meta.geometry.virtualSizeBytes / clusterSizeBytes);
  for (let g = 0; g < count; g++) {
    const before = clusterMapping(cleanMapping, g, clusterSizeBytes);
    let after: string;
    try {
      after = clusterMapping(damagedMapping, g, clusterSizeBytes).key;
    } catch (err) {
      if (!isFormatError(err) && !(err instanceof RangeError)) throw err;
      after = 'unreadable';
    }
    if (after !== before.key || before.hostRanges.some((h) => changed.some((c) => overlaps(h, c)))) clusters.add(g);
  }
  return { all: false, clusters, clusterSizeBytes };
}

/** True when guest cluster `g` counts as damaged. */
export function isGuestClusterDamaged(d: MappingDamage, g: number): boolean {
  return d.all || d.clusters.has(g);
}

/** The runs of guest cluster `g` as a key (flags, host offset relative to the guest, length) and the host bytes its data comes from. */
function clusterMapping(mapping: Qcow2Mapping, g: number, clusterSizeBytes: number): { key: string; hostRanges: ByteRange[] } {
  const run = newLayerRun();
  const start = g * clusterSizeBytes;
  const end = Math.min(start + clusterSizeBytes, mapping.virtualSizeBytes);
  const parts: string[] = [];
  const hostRanges: ByteRange[] = [];
  for (let pos = start; pos < end; pos += run.lengthBytes) {
    mapping.runAt(pos, end - pos, run);
    const offsetValid = (run.flags & RunFlag.offsetValid) !== 0;
    parts.push(`${run.flags}:${offsetValid ? run.hostOffsetBytes - pos : -1}:${run.lengthBytes}`);
    if (offsetValid && (run.flags & RunFlag.data) !== 0) hostRanges.push({ offsetBytes: run.hostOffsetBytes, lengthBytes: run.lengthBytes });
  }
  return { key: parts.join('|'), hostRanges };
}

/** True when `r` changes a header byte that guest mappings depend on (cluster 0 up to the end of the extensions and backing name). */
function touchesHeaderMapping(meta: ImageMeta, r: ByteRange): boolean {
  const h = meta.header;
  const backingEnd = h.backingFileOffset === 0n ? 0 : Number(h.backingFileOffset) + h.backingFileNameBytes;
  const end = Math.max(meta.extensions.endOffsetBytes, backingEnd, h.headerLengthBytes);
  for (let at = r.offsetBytes; at < Math.min(r.offsetBytes + r.lengthBytes, end); at++) {
    if (!HEADER_NON_MAPPING_RANGES.some((n) => at >= n.offsetBytes && at < n.offsetBytes + n.lengthBytes)) return true;
  }
  return false;
}

function overlaps(a: ByteRange, b: ByteRange): boolean {
  return a.offsetBytes < b.offsetBytes + b.lengthBytes && b.offsetBytes < a.offsetBytes + a.lengthBytes;
}
