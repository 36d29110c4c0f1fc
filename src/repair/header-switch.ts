/**
 * The header write that commits a repair. The fields that point at the tables (l1_size and
 * l1_table_offset @36, refcount_table_offset and _clusters @48, nb_snapshots and snapshots_offset
 * @60) and the feature bits @72..95 are contiguous and lie in the first 512-byte sector, so one
 * write switches the image from the old tables to the new ones atomically (sectors never tear).
 */
import { headerFieldOffsets } from '../../spec/format/header.js';
import type { RepairContext } from './repair-context.js';
import type { WriteStep } from './write-plan.js';

interface HeaderFields {
  l1EntryCount: number;
  l1OffsetBytes: number;
  reftableOffsetBytes: number;
  reftableClusters: number;
  snapshotCount: number;
  snapshotsOffsetBytes: number;
  /** v3 only (as are the two below); ignored for v2 images, which have no feature bits. */
  incompatibleFeatures: bigint;
  compatibleFeatures: bigint;
  autoclearFeatures: bigint;
}

const FIRST = headerFieldOffsets.l1Size;

/** The header fields as the image has them now. */
export function currentHeaderFields(ctx: RepairContext): HeaderFields {
  const h = ctx.image.header;
  return {
    l1EntryCount: h.l1EntryCount,
    l1OffsetBytes: Number(h.l1TableOffset),
    reftableOffsetBytes: Number(h.refcountTableOffset),
    reftableClusters: h.refcountTableClusters,
    snapshotCount: h.snapshotCount,
    snapshotsOffsetBytes: Number(h.snapshotsOffset),
    incompatibleFeatures: h.incompatibleFeatures,
    compatibleFeatures: h.compatibleFeatures,
    autoclearFeatures: h.autoclearFeatures,
  };
}

/** One write of header bytes 36..95 (36..71 for v2) holding `fields`. */
export function headerSwitchWrite(ctx: RepairContext, fields: HeaderFields): WriteStep {
  const end = ctx.v3 ? headerFieldOffsets.autoclearFeatures + 8 : headerFieldOffsets.snapshotsOffset + 8;
  const data = ctx.device.read(FIRST, end - FIRST);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  view.setUint32(headerFieldOffsets.l1Size - FIRST, fields.l1EntryCount);
  view.setBigUint64(headerFieldOffsets.l1TableOffset - FIRST, BigInt(fields.l1OffsetBytes));
  view.setBigUint64(headerFieldOffsets.refcountTableOffset - FIRST, BigInt(fields.reftableOffsetBytes));
  view.setUint32(headerFieldOffsets.refcountTableClusters - FIRST, fields.reftableClusters);
  view.setUint32(headerFieldOffsets.snapshotCount - FIRST, fields.snapshotCount);
  view.setBigUint64(headerFieldOffsets.snapshotsOffset - FIRST, BigInt(fields.snapshotsOffsetBytes));
  if (ctx.v3) {
    view.setBigUint64(headerFieldOffsets.incompatibleFeatures - FIRST, fields.incompatibleFeatures);
    view.setBigUint64(headerFieldOffsets.compatibleFeatures - FIRST, fields.compatibleFeatures);
    view.setBigUint64(headerFieldOffsets.autoclearFeatures - FIRST, fields.autoclearFeatures);
  }
  return { offsetBytes: FIRST, data };
}

/** One 24-byte write of the three feature fields @72 (v3 only). */
export function featureBitsWrite(incompatible: bigint, compatible: bigint, autoclear: bigint): WriteStep {
  const data = new Uint8Array(24);
  const view = new DataView(data.buffer);
  view.setBigUint64(0, incompatible);
  view.setBigUint64(8, compatible);
  view.setBigUint64(16, autoclear);
  return { offsetBytes: headerFieldOffsets.incompatibleFeatures, data };
}
