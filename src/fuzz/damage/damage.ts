/**
 * Damage: one fault of damaged media, as a case records it: what kind, where it was aimed, and the
 * exact bytes it changed (patches of the consistent image: the bytes before and after, as hex) plus
 * the file size when it changed. Replaying a damage needs no randomness: applyDamage writes the
 * patches; a replay whose image does not hold the `before` bytes is not the recorded image.
 */
import type { RoleName } from '../../../spec/layout/cluster-role.js';
import type { ByteRange } from '../../../spec/semantics/mapping-damage.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { CowDevice } from '../../storage/cow-device.js';
import { sameBytes } from '../../storage/same-bytes.js';

/** Bit flips and zeroed sectors hit one structure; a lost write is never stored; a misdirected write is stored elsewhere. */
export type DamageKind = 'bit-flip' | 'zeroed-sector' | 'lost-write' | 'misdirected-write';

/** Host bytes of the consistent image and what the damage put there. */
export interface DamagePatch {
  offsetBytes: number;
  /** The bytes before the damage, hex. */
  before: string;
  /** The bytes after it, hex (as long as `before`). */
  after: string;
}

export interface Damage {
  kind: DamageKind;
  /** The role (spec/layout) of the host cluster the damage was aimed at, in the consistent image. */
  target: RoleName;
  /** In words: "L2 table @0x30000 entry 5, bit 42", "write #12 (0x30000+0x200) never stored". */
  where: string;
  patches: DamagePatch[];
  /** The file's size after the damage, when it changed (a lost write that had extended the file). */
  fileSizeBytes?: number;
}

/** Bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Hex as bytes. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The host ranges the damage changed, the cut tail of a shrunk file included. */
export function changedRanges(d: Damage, sizeBeforeBytes: number): ByteRange[] {
  const out: ByteRange[] = d.patches.map((p) => ({ offsetBytes: p.offsetBytes, lengthBytes: p.before.length / 2 }));
  if (d.fileSizeBytes !== undefined && d.fileSizeBytes < sizeBeforeBytes) out.push({ offsetBytes: d.fileSizeBytes, lengthBytes: sizeBeforeBytes - d.fileSizeBytes });
  return out;
}

/** Bytes the damage changes in all. */
export function damagedByteCount(d: Damage): number {
  return d.patches.reduce((n, p) => n + p.before.length / 2, 0);
}

/**
 * The damaged image: `image` (never written) with the patches applied over it. Null when `image`
 * does not hold the bytes the damage records as `before` (another image than the one damaged).
 */
export function applyDamage(image: BlockDevice, d: Damage): BlockDevice | null {
  for (const p of d.patches) {
    const before = fromHex(p.before);
    if (p.offsetBytes + before.length > image.sizeBytes || !sameBytes(image.read(p.offsetBytes, before.length), before)) return null;
  }
  const out = new CowDevice(image);
  for (const p of d.patches) out.write(p.offsetBytes, fromHex(p.after));
  if (d.fileSizeBytes !== undefined) out.truncate(d.fileSizeBytes);
  return out;
}

/** The patches that turn `before` into `after` over [offsetBytes, +length): one per run of changed bytes (runs closer than `joinBytes` merged). */
export function diffPatches(offsetBytes: number, before: Uint8Array, after: Uint8Array, joinBytes = 8): DamagePatch[] {
  const out: DamagePatch[] = [];
  const n = Math.min(before.length, after.length);
  let i = 0;
  while (i < n) {
    if (before[i] === after[i]) {
      i++;
      continue;
    }
    let end = i + 1;
    for (let j = end; j < n && j < end + joinBytes; j++) if (before[j] !== after[j]) end = j + 1;
    out.push({ offsetBytes: offsetBytes + i, before: toHex(before.subarray(i, end)), after: toHex(after.subarray(i, end)) });
    i = end;
  }
  return out;
}
