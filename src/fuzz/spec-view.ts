/**
 * The spec's reading of an image on a block device: its GuestLayer (active state or one internal
 * snapshot) with its backing layer, built only from spec/ (never the engine), so the judge shares
 * no code with the judged.
 */
import type { ByteSource } from '../../spec/format/byte-source.js';
import { readImageMeta, type ImageMeta } from '../../spec/format/image-meta.js';
import { decodeSnapshotTable, type SnapshotEntry } from '../../spec/format/snapshot-table.js';
import type { GuestLayer, HostFile } from '../../spec/semantics/layer.js';
import { Qcow2Layer } from '../../spec/semantics/qcow2-layer.js';
import { RawLayer } from '../../spec/semantics/raw-layer.js';
import type { BlockDevice } from '../storage/block-device.js';
import { toByteSource } from '../storage/to-byte-source.js';

/** A backing file as the fuzzer keeps it: a device and its format. */
export interface BackingDevice {
  device: BlockDevice;
  format: 'qcow2' | 'raw';
}

function hostFileOf(name: string, source: ByteSource): HostFile {
  return { name, source, holeGranularityBytes: 4096 };
}

/** The backing layer (qcow2 or raw) of a backing device. */
function backingLayerOf(backing: BackingDevice): GuestLayer {
  const source = toByteSource(backing.device);
  if (backing.format === 'raw') return new RawLayer(hostFileOf('backing', source));
  const meta = readImageMeta(source);
  return new Qcow2Layer({ name: 'backing', meta, file: hostFileOf('backing', source) });
}

/**
 * The active guest view of the image on `device`.
 * @throws FormatError when the spec cannot read the image
 */
export function imageLayerOf(device: BlockDevice | ByteSource, backing?: BackingDevice): GuestLayer {
  const source = 'write' in device ? toByteSource(device) : device;
  return layerOf(source, readImageMeta(source), backing);
}

/** The snapshot table of the image (empty when it has none). @throws FormatError */
export function snapshotEntriesOf(source: ByteSource): SnapshotEntry[] {
  const h = readImageMeta(source).header;
  return h.snapshotCount > 0 ? decodeSnapshotTable(source, Number(h.snapshotsOffset), h.snapshotCount) : [];
}

/**
 * The guest view of one internal snapshot: the image read through the snapshot's L1 table and
 * with its disk size (SN-2, SN-3).
 * @throws FormatError when the spec cannot read it
 */
export function snapshotLayerOf(source: ByteSource, entry: SnapshotEntry, backing?: BackingDevice): GuestLayer {
  const meta = readImageMeta(source);
  const sizeBytes = entry.diskSizeBytes ?? meta.header.sizeBytes;
  const header = { ...meta.header, l1TableOffset: entry.l1TableOffset, l1EntryCount: entry.l1EntryCount, sizeBytes };
  const snapMeta: ImageMeta = { ...meta, header, geometry: { ...meta.geometry, virtualSizeBytes: Number(sizeBytes) } };
  return layerOf(source, snapMeta, backing);
}

function layerOf(source: ByteSource, meta: ImageMeta, backing?: BackingDevice): GuestLayer {
  let below: GuestLayer | null | undefined;
  return new Qcow2Layer({
    name: 'image',
    meta,
    file: hostFileOf('image', source),
    openBacking: meta.backingFileName ? () => (below ??= backing ? backingLayerOf(backing) : null) : undefined,
  });
}
