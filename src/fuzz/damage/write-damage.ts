/**
 * Lost and misdirected writes: one storage write of the run's last segment (recorded, acknowledged
 * and followed by a flush) that the media never stored, or stored at another offset (one bit of
 * its address flipped). The damaged image is the segment replayed with that write dropped or moved;
 * only the bytes it changes are recorded (diffed against the consistent image), so a lost write
 * whose bytes a later write covered again changes nothing and is not drawn.
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { hex } from '../../../spec/format/bounded-reader.js';
import type { RoleName } from '../../../spec/layout/cluster-role.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { diffPatches, type Damage, type DamagePatch } from './damage.js';

/** The storage history a damage may replay: the file when the segment started and its operations since. */
export interface Segment {
  base: BlockDevice;
  ops: readonly StorageOp[];
}

/** Writes longer than this are not lost or moved (a case records every byte a damage changes). */
export const WRITE_DAMAGE_BYTES_MAX = 64 * 1024;

/** The indexes of the segment's writes a damage may lose or move. */
export function damageableWrites(seg: Segment): number[] {
  const out: number[] = [];
  seg.ops.forEach((op, i) => {
    if ((op.kind === 'write' || op.kind === 'zeroes') && op.lengthBytes > 0 && op.lengthBytes <= WRITE_DAMAGE_BYTES_MAX) out.push(i);
  });
  return out;
}

/** Write `opIndex` of the segment never stored; null when that changes no byte of `image`. */
export function lostWrite(image: BlockDevice, seg: Segment, opIndex: number, role: RoleName): Damage | null {
  const op = seg.ops[opIndex];
  const r = replayRange(seg, op.offsetBytes, op.lengthBytes, (j) => (j === opIndex ? null : seg.ops[j]));
  const patches = patchesOver(image, op.offsetBytes, r.bytes, r.sizeBytes);
  const shrunk = r.sizeBytes < image.sizeBytes;
  if (patches.length === 0 && !shrunk) return null;
  const d: Damage = { kind: 'lost-write', target: role, where: `storage ${op.kind} #${opIndex} (${hex(op.offsetBytes)}+${hex(op.lengthBytes)}) acknowledged and flushed, never stored`, patches };
  if (shrunk) d.fileSizeBytes = r.sizeBytes;
  return d;
}

/**
 * Write `opIndex` stored at `toOffsetBytes` instead of its own offset; null when the two ranges
 * overlap, the new one passes the end of `image`, or nothing changes.
 */
export function misdirectedWrite(image: BlockDevice, seg: Segment, opIndex: number, toOffsetBytes: number, role: RoleName): Damage | null {
  const op = seg.ops[opIndex];
  const len = op.lengthBytes;
  if (toOffsetBytes < 0 || toOffsetBytes + len > image.sizeBytes) return null;
  if (toOffsetBytes < op.offsetBytes + len && op.offsetBytes < toOffsetBytes + len) return null;
  const moved: StorageOp = { ...op, offsetBytes: toOffsetBytes };
  const edit = (j: number): StorageOp => (j === opIndex ? moved : seg.ops[j]);
  const own = replayRange(seg, op.offsetBytes, len, edit);
  const there = replayRange(seg, toOffsetBytes, len, edit);
  const patches = [...patchesOver(image, op.offsetBytes, own.bytes, own.sizeBytes), ...patchesOver(image, toOffsetBytes, there.bytes, there.sizeBytes)].sort((a, b) => a.offsetBytes - b.offsetBytes);
  const shrunk = own.sizeBytes < image.sizeBytes;
  if (patches.length === 0 && !shrunk) return null;
  const d: Damage = { kind: 'misdirected-write', target: role, where: `storage ${op.kind} #${opIndex} (${hex(op.offsetBytes)}+${hex(len)}) stored at ${hex(toOffsetBytes)} instead`, patches };
  if (shrunk) d.fileSizeBytes = own.sizeBytes;
  return d;
}

/**
 * The bytes [offsetBytes, +lengthBytes) and the file size after the segment's operations, each
 * taken from `edit` (null: dropped).
 */
export function replayRange(seg: Segment, offsetBytes: number, lengthBytes: number, edit: (opIndex: number) => StorageOp | null): { bytes: Uint8Array; sizeBytes: number } {
  const bytes = seg.base.read(offsetBytes, lengthBytes);
  let size = seg.base.sizeBytes;
  const end = offsetBytes + lengthBytes;
  if (size < end) bytes.fill(0, Math.max(0, size - offsetBytes));
  for (let j = 0; j < seg.ops.length; j++) {
    const op = edit(j);
    if (op === null || op.kind === 'flush') continue;
    if (op.kind === 'truncate') {
      if (op.offsetBytes < end) bytes.fill(0, Math.max(0, op.offsetBytes - offsetBytes));
      size = op.offsetBytes;
      continue;
    }
    const from = Math.max(op.offsetBytes, offsetBytes);
    const to = Math.min(op.offsetBytes + op.lengthBytes, end);
    if (op.kind !== 'discard') size = Math.max(size, op.offsetBytes + op.lengthBytes);
    if (to <= from) continue;
    if (op.kind === 'write') bytes.set(op.data!.subarray(from - op.offsetBytes, to - op.offsetBytes), from - offsetBytes);
    else bytes.fill(0, from - offsetBytes, to - offsetBytes);
  }
  return { bytes, sizeBytes: size };
}

/** The patches turning `image`'s bytes at `offsetBytes` into `bytes`, below `sizeBytes` (the tail past it is cut by the size). */
function patchesOver(image: BlockDevice, offsetBytes: number, bytes: Uint8Array, sizeBytes: number): DamagePatch[] {
  const n = Math.max(0, Math.min(bytes.length, image.sizeBytes - offsetBytes, sizeBytes - offsetBytes));
  if (n === 0) return [];
  return diffPatches(offsetBytes, image.read(offsetBytes, n), bytes.subarray(0, n));
}
