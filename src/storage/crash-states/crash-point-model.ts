/**
 * CrashPointModel: everything a crash at one point can leave, in a form cheap to pick from.
 *
 * Takes the operations, the crash point and the durable device (the file after the last flush
 * before the point); gives, for each sector touched since that flush, its distinct possible
 * contents (latest first, so code 0 is "everything landed in order"), for each pending operation
 * the code it produced in each of its sectors, and the allowed file sizes. It must never copy a
 * whole sector unless an operation covered only part of it (then the sector is read, patched and
 * written whole, as a block layer does).
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { BlockDevice } from '../block-device.js';
import { sameBytes } from '../same-bytes.js';
import type { SectorLineage } from './sector-lineage.js';
import { changedBytes, TouchedSectors } from './touched-sectors.js';

/** One version code per touched sector, in the narrowest array that holds the model's codes. */
export type VersionCodes = Uint8Array | Uint16Array | Uint32Array;

/** One operation since the last flush, as the model sees it. */
export interface PendingOp {
  /** Index of the operation in the whole log. */
  opIndex: number;
  op: StorageOp;
  /** Its sectors: the slice [lo, hi) of the model's touched sectors. */
  lo: number;
  hi: number;
  /** Per sector of the slice, the version code this operation produced; -1 where a later FUA write rules it out. */
  codes: Int32Array;
  /** Code of the file size after it, or -1 when a later FUA write rules that size out. */
  sizeCode: number;
  /** Per sector of the slice, 1 where it changed the sector's bytes (0: it rewrote what was there). */
  changed: Uint8Array;
}

export interface CrashPointModel {
  /** Operations [0, crashPoint) completed before the crash. */
  crashPoint: number;
  /** Index of the last flush before the crash point, -1 if none. */
  lastFlushIndex: number;
  sectorSizeBytes: number;
  /** The file after ops[0..lastFlushIndex]; never written. */
  durable: BlockDevice;
  touched: TouchedSectors;
  /** versions[t]: the distinct full-sector contents sector t may hold, latest first. */
  versions: Uint8Array[][];
  /** Per touched sector, the code of its durable content, or -1 when a FUA write rules it out. */
  durableCodes: Int32Array;
  /**
   * makers[t][code]: index in the whole log of an operation whose in-order result is that
   * version, or -1 for the durable content (see bytesOrigins).
   */
  makers: number[][];
  /** The log's sector lineage, when the plan keeps one (null: bytesOrigin knows touched sectors only). */
  lineage: SectorLineage | null;
  pending: PendingOp[];
  /** Allowed file sizes in bytes, latest first (code 0 is the size after the last operation). */
  sizesBytes: number[];
  /** Code of the durable size, or -1 when a FUA write since the flush rules it out. */
  durableSizeCode: number;
  /** A zeroed code array for this model (one code per touched sector, code 0 everywhere). */
  newCodes(): VersionCodes;
}

/**
 * Builds the model of a crash at `crashPoint`.
 * @param durable the file after ops[0..lastFlushIndex] (lastFlushIndex = last flush before the point)
 * @param sectorSizeBytes tearing granularity, a power of two
 * @throws FormatError (CRASHCOW-PENDING-SECTORS) when too many sectors were touched since the flush
 */
export function buildCrashPointModel(ops: readonly StorageOp[], crashPoint: number, lastFlushIndex: number, durable: BlockDevice, sectorSizeBytes: number, lineage: SectorLineage | null = null): CrashPointModel {
  const first = lastFlushIndex + 1;
  const sizeBefore = (i: number): number => (i === first ? durable.sizeBytes : ops[i - 1].sizeBytesAfter);
  const pendingOps = ops.slice(first, crashPoint);
  const ranges = pendingOps.map((op, j) => changedBytes(op, sizeBefore(first + j)));
  const touched = new TouchedSectors(ranges, sectorSizeBytes);
  const history = sectorHistories(pendingOps, ranges, touched, durable);
  const { versions, durableCodes, opCodes, makers } = dedupeVersions(history, pendingOps.length, touched, first);
  const sizes = sizeCodes(pendingOps, durable.sizeBytes);
  const pending = pendingOps.map((op, j) => ({ opIndex: first + j, op, lo: touched.slices[j].lo, hi: touched.slices[j].hi, codes: opCodes[j], sizeCode: sizes.opSizeCodes[j], changed: history.changed[j] }));
  const maxVersions = versions.reduce((m, v) => Math.max(m, v.length), 1);
  const count = touched.count;
  const newCodes = maxVersions <= 0x100 ? () => new Uint8Array(count) : maxVersions <= 0x10000 ? () => new Uint16Array(count) : () => new Uint32Array(count);
  return { crashPoint, lastFlushIndex, sectorSizeBytes, durable, touched, versions, durableCodes, makers, lineage, pending, sizesBytes: sizes.sizesBytes, durableSizeCode: sizes.durableSizeCode, newCodes };
}

/** Per touched sector: its images in time order ([durable, after op a, after op b ...]) and who made each. */
interface SectorHistory {
  images: Uint8Array[][];
  makers: Int32Array[];
  /** Position in `images[t]` of the last FUA image, 0 when none (everything stays possible). */
  floors: Int32Array;
  /** Per pending op, per sector of its slice: 1 when its image differs from the one before it. */
  changed: Uint8Array[];
}

function sectorHistories(pendingOps: readonly StorageOp[], ranges: ReadonlyArray<{ fromBytes: number; toBytes: number }>, touched: TouchedSectors, durable: BlockDevice): SectorHistory {
  const s = touched.sectorSizeBytes;
  const n = touched.count;
  const images: Uint8Array[][] = new Array(n);
  const makers: number[][] = new Array(n);
  const floors = new Int32Array(n);
  readDurableSectors(touched, durable, (t, image) => {
    images[t] = [image];
    makers[t] = [-1];
  });
  const zeroSector = new Uint8Array(s);
  const changed = pendingOps.map((_, j) => new Uint8Array(touched.slices[j].hi - touched.slices[j].lo));
  pendingOps.forEach((op, j) => {
    const { fromBytes, toBytes } = ranges[j];
    const { lo, hi } = touched.slices[j];
    for (let t = lo; t < hi; t++) {
      const sectorStart = touched.sectors[t] * s;
      const a = Math.max(fromBytes, sectorStart);
      const b = Math.min(toBytes, sectorStart + s);
      const list = images[t];
      let image: Uint8Array;
      if (a === sectorStart && b === sectorStart + s) {
        image = op.kind === 'write' ? op.data!.subarray(a - op.offsetBytes, b - op.offsetBytes) : zeroSector;
      } else {
        image = list[list.length - 1].slice();
        if (op.kind === 'write') image.set(op.data!.subarray(a - op.offsetBytes, b - op.offsetBytes), a - sectorStart);
        else image.fill(0, a - sectorStart, b - sectorStart);
      }
      if (op.kind === 'write' && op.fua) floors[t] = list.length;
      changed[j][t - lo] = sameBytes(image, list[list.length - 1]) ? 0 : 1;
      list.push(image);
      makers[t].push(j);
    }
  });
  return { images, makers: makers.map((m) => Int32Array.from(m)), floors, changed };
}

/** Reads the durable content of every touched sector, one read per run of consecutive sectors. */
function readDurableSectors(touched: TouchedSectors, durable: BlockDevice, each: (t: number, image: Uint8Array) => void): void {
  const s = touched.sectorSizeBytes;
  const sectors = touched.sectors;
  for (let t = 0; t < sectors.length; ) {
    let end = t + 1;
    while (end < sectors.length && sectors[end] === sectors[end - 1] + 1 && end - t < 2048) end++;
    const bytes = durable.read(sectors[t] * s, (end - t) * s);
    for (let u = t; u < end; u++) each(u, bytes.subarray((u - t) * s, (u - t + 1) * s));
    t = end;
  }
}

function dedupeVersions(history: SectorHistory, pendingCount: number, touched: TouchedSectors, firstOpIndex: number): { versions: Uint8Array[][]; durableCodes: Int32Array; opCodes: Int32Array[]; makers: number[][] } {
  const n = touched.count;
  const versions: Uint8Array[][] = new Array(n);
  const codeMakers: number[][] = new Array(n);
  const durableCodes = new Int32Array(n);
  const slices = touched.slices;
  const opCodes = Array.from({ length: pendingCount }, (_, j) => new Int32Array(slices[j].hi - slices[j].lo));
  for (let t = 0; t < n; t++) {
    const images = history.images[t];
    const makers = history.makers[t];
    const floor = history.floors[t];
    const kept: Uint8Array[] = [];
    const keptMakers: number[] = [];
    for (let pos = images.length - 1; pos >= 0; pos--) {
      const maker = makers[pos];
      let code = -1;
      if (pos >= floor) {
        code = kept.findIndex((v) => sameBytes(v, images[pos]));
        if (code < 0) {
          code = kept.push(images[pos]) - 1;
          keptMakers.push(maker < 0 ? -1 : firstOpIndex + maker);
        }
      }
      if (maker < 0) durableCodes[t] = code;
      else opCodes[maker][t - slices[maker].lo] = code;
    }
    versions[t] = kept;
    codeMakers[t] = keptMakers;
  }
  return { versions, durableCodes, opCodes, makers: codeMakers };
}

function sizeCodes(pendingOps: readonly StorageOp[], durableSizeBytes: number): { sizesBytes: number[]; opSizeCodes: number[]; durableSizeCode: number } {
  const timeline = [durableSizeBytes, ...pendingOps.map((op) => op.sizeBytesAfter)];
  let floor = 0;
  pendingOps.forEach((op, j) => {
    if (op.kind === 'write' && op.fua) floor = j + 1;
  });
  const sizesBytes: number[] = [];
  const codeAt = new Array<number>(timeline.length).fill(-1);
  for (let pos = timeline.length - 1; pos >= floor; pos--) {
    let code = sizesBytes.indexOf(timeline[pos]);
    if (code < 0) code = sizesBytes.push(timeline[pos]) - 1;
    codeAt[pos] = code;
  }
  return { sizesBytes, opSizeCodes: codeAt.slice(1), durableSizeCode: codeAt[0] };
}

/**
 * Names the bytes each of `count` host sectors from `firstSector` holds in the state with
 * `codes`, into `out`: 1 + the index of the operation whose in-order result they are, 0 for the
 * base's bytes, -1 when the model cannot tell (an untouched sector without a lineage). Equal
 * names mean equal bytes, at any crash point of the same log: a touched sector's version is the
 * sector after the operation that made it, and an untouched one holds the durable content, the
 * sector after its last change up to the flush.
 */
export function bytesOrigins(model: CrashPointModel, codes: ArrayLike<number>, firstSector: number, count: number, out: { [i: number]: number }): void {
  const touched = model.touched;
  let t = touched.lowerBound(firstSector);
  for (let i = 0; i < count; i++) {
    const sector = firstSector + i;
    while (t < touched.count && touched.sectors[t] < sector) t++;
    if (t < touched.count && touched.sectors[t] === sector) {
      const maker = model.makers[t][codes[t]];
      if (maker >= 0) {
        out[i] = maker + 1;
        continue;
      }
    }
    const last = model.lineage === null ? -2 : model.lineage.lastChangeAtOrBefore(sector, model.lastFlushIndex);
    out[i] = last === -2 ? -1 : last + 1;
  }
}
