/**
 * Creating an image (qcow2_co_create): cluster 0 (header, extensions, backing file name), a one-cluster
 * refcount table at cluster 1 and one refcount block at cluster 2 counting clusters 0..2, an empty L1.
 * The virtual size is set afterwards by a resize on the opened image, as QEMU does.
 */
import { compressionTypes, compatibleBits, incompatibleBits } from '../../../spec/format/feature-bits.js';
import { clusterIndexToOffset, geometryFromHeader } from '../../../spec/format/geometry.js';
import { encodeHeader, type Header } from '../../../spec/format/header.js';
import { encodeFeatureNameTable, encodeHeaderExtensions, extensionTypes } from '../../../spec/format/header-extensions.js';
import { limits } from '../../../spec/format/limits.js';
import { setRefcount } from '../../../spec/format/refcount-block.js';
import { encodeRefcountTableEntry } from '../../../spec/format/refcount-table-entry.js';
import type { BlockDevice } from '../../storage/block-device.js';
import type { CreateOptions } from '../engine.js';
import { EngineError } from '../engine-error.js';
import { checkCreateOptions } from './create-options.js';

/** Feature names QEMU stores in the feature name table (EXT-5): kind, bit, name. */
const FEATURE_NAMES = [
  { kind: 0, bit: 0, name: 'dirty bit' },
  { kind: 0, bit: 1, name: 'corrupt bit' },
  { kind: 0, bit: 2, name: 'external data file' },
  { kind: 0, bit: 3, name: 'compression type' },
  { kind: 0, bit: 4, name: 'extended L2 entries' },
  { kind: 1, bit: 0, name: 'lazy refcounts' },
  { kind: 2, bit: 0, name: 'bitmaps' },
  { kind: 2, bit: 1, name: 'raw external data' },
];

/**
 * Writes a new, empty (size 0) image to `device`, replacing its content.
 * @throws EngineError EINVAL for options QEMU would refuse (see checkCreateOptions)
 */
export function createImage(device: BlockDevice, opts: CreateOptions): void {
  const o = checkCreateOptions(opts);
  const cs = o.clusterSizeBytes;
  const header: Header = {
    version: o.version,
    backingFileOffset: 0n,
    backingFileNameBytes: 0,
    clusterBits: Math.log2(cs),
    sizeBytes: 0n,
    cryptMethod: 0,
    l1EntryCount: 0,
    l1TableOffset: 0n,
    refcountTableOffset: BigInt(cs),
    refcountTableClusters: 1,
    snapshotCount: 0,
    snapshotsOffset: 0n,
    incompatibleFeatures: (o.extendedL2 ? incompatibleBits.extendedL2 : 0n) | (o.zstd ? incompatibleBits.compressionType : 0n),
    compatibleFeatures: o.lazyRefcounts ? compatibleBits.lazyRefcounts : 0n,
    autoclearFeatures: 0n,
    refcountOrder: Math.log2(o.refcountBits),
    headerLengthBytes: o.version >= 3 ? 112 : limits.headerV2LengthBytes,
    compressionType: o.zstd ? compressionTypes.zstd : compressionTypes.deflate,
    additionalFields: new Uint8Array(7),
  };
  const g = geometryFromHeader(header);
  // Cluster 0 holds the header, cluster 1 the refcount table, cluster 2 its one refcount block.
  const reftableOffsetBytes = clusterIndexToOffset(g, 1);
  const refblockOffsetBytes = clusterIndexToOffset(g, 2);
  const cluster0 = layoutCluster0(header, opts, cs);
  const refblock = new Uint8Array(cs);
  for (let c = 0; c < 3; c++) setRefcount(refblock, c, header.refcountOrder, 1);
  const reftable = new Uint8Array(cs);
  new DataView(reftable.buffer, reftable.byteOffset, reftable.byteLength).setBigUint64(0, encodeRefcountTableEntry(refblockOffsetBytes));
  device.truncate(0);
  device.write(0, cluster0);
  device.write(reftableOffsetBytes, reftable);
  device.write(refblockOffsetBytes, refblock);
  device.flush();
}

/** Header, extensions (backing format, feature names when they fit) and the backing name. */
function layoutCluster0(header: Header, opts: CreateOptions, cs: number): Uint8Array {
  const enc = new TextEncoder();
  const name = opts.backingFile !== undefined ? enc.encode(opts.backingFile) : new Uint8Array(0);
  const records: { type: number; data: Uint8Array }[] = [];
  if (opts.backingFormat) records.push({ type: extensionTypes.backingFormat, data: enc.encode(opts.backingFormat) });
  const withNames = [...records, { type: extensionTypes.featureNameTable, data: encodeFeatureNameTable(FEATURE_NAMES) }];
  const fits = (recs: typeof records) => header.headerLengthBytes + encodeHeaderExtensions(recs).length + name.length <= cs;
  const chosen = header.version >= 3 && fits(withNames) ? withNames : records;
  if (!fits(chosen)) throw new EngineError('EINVAL', `header, extensions and backing file name do not fit in a ${cs}-byte cluster`);
  const exts = encodeHeaderExtensions(chosen);
  if (opts.backingFile !== undefined) {
    header.backingFileOffset = BigInt(header.headerLengthBytes + exts.length);
    header.backingFileNameBytes = name.length;
  }
  const out = new Uint8Array(cs);
  out.set(encodeHeader(header), 0);
  out.set(exts, header.headerLengthBytes);
  out.set(name, header.headerLengthBytes + exts.length);
  return out;
}
