/**
 * Bit flips and zeroed sectors aimed at one metadata structure (a DamageTarget): mostly at an
 * entry in use (a zero entry changes nothing a reader follows), each recorded as the exact bytes it
 * changed. A zeroed sector is the 512 bytes around the chosen entry, cut at the end of the file.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { readPadded } from '../../../spec/format/byte-source.js';
import { hex } from '../../../spec/format/bounded-reader.js';
import type { Prng } from '../../storage/prng.js';
import type { DamageTarget } from './damage-targets.js';
import { diffPatches, type Damage } from './damage.js';

/** How often the entry hit is one in use, when the structure has any. */
const IN_USE_ENTRY_CHANCE = 0.85;

const SECTOR_SIZE_BYTES = 512;

/** Names of the header fields by their first byte (QCOW2-FACTS §1.1), for the damage's description. */
const HEADER_FIELDS: ReadonlyArray<[number, string]> = [
  [0, 'magic'], [4, 'version'], [8, 'backing_file_offset'], [16, 'backing_file_size'], [20, 'cluster_bits'], [24, 'size'],
  [32, 'crypt_method'], [36, 'l1_size'], [40, 'l1_table_offset'], [48, 'refcount_table_offset'], [56, 'refcount_table_clusters'],
  [60, 'nb_snapshots'], [64, 'snapshots_offset'], [72, 'incompatible_features'], [80, 'compatible_features'],
  [88, 'autoclear_features'], [96, 'refcount_order'], [100, 'header_length'], [104, 'compression_type'],
];

/** One bit of an entry of `t` flipped; null when the target holds no bytes. */
export function bitFlip(source: ByteSource, t: DamageTarget, rng: Prng): Damage | null {
  const entry = pickEntry(source, t, rng);
  if (entry === null) return null;
  const bit = rng.int(t.entrySizeBytes * 8);
  // Entries are big-endian (GEN-1): bit 0 is the lowest bit of the entry's last byte.
  const at = entry.offsetBytes + t.entrySizeBytes - 1 - Math.floor(bit / 8);
  const before = readPadded(source, at, 1);
  const after = Uint8Array.of(before[0] ^ (1 << (bit % 8)));
  const where = t.role === 'header' ? `header byte ${at} (${headerFieldAt(at)}), bit ${bit % 8}` : `${t.label} entry ${entry.index}, bit ${bit}`;
  return { kind: 'bit-flip', target: t.role, where, patches: diffPatches(at, before, after) };
}

/** The 512-byte sector holding an entry of `t`, zeroed; null when it already reads zeros. */
export function zeroedSector(source: ByteSource, t: DamageTarget, rng: Prng): Damage | null {
  const entry = pickEntry(source, t, rng);
  if (entry === null) return null;
  const sector = Math.floor(entry.offsetBytes / SECTOR_SIZE_BYTES) * SECTOR_SIZE_BYTES;
  const before = source.read(sector, SECTOR_SIZE_BYTES);
  const patches = diffPatches(sector, before, new Uint8Array(before.length));
  if (patches.length === 0) return null;
  return { kind: 'zeroed-sector', target: t.role, where: `${t.label}: sector at ${hex(sector)} (${before.length} bytes) zeroed`, patches };
}

/** An entry of `t`: one in use (not all zeros) most of the time, else any; null for an empty target. */
function pickEntry(source: ByteSource, t: DamageTarget, rng: Prng): { index: number; offsetBytes: number } | null {
  const count = Math.floor(t.lengthBytes / t.entrySizeBytes);
  if (count === 0) return null;
  const bytes = readPadded(source, t.offsetBytes, count * t.entrySizeBytes);
  const inUse: number[] = [];
  for (let i = 0; i < count; i++) {
    for (let b = i * t.entrySizeBytes; b < (i + 1) * t.entrySizeBytes; b++) {
      if (bytes[b] !== 0) {
        inUse.push(i);
        break;
      }
    }
  }
  const index = inUse.length > 0 && rng.chance(IN_USE_ENTRY_CHANCE) ? rng.pick(inUse) : rng.int(count);
  return { index, offsetBytes: t.offsetBytes + index * t.entrySizeBytes };
}

function headerFieldAt(offsetBytes: number): string {
  let name = 'extension area';
  for (const [start, field] of HEADER_FIELDS) if (offsetBytes >= start) name = field;
  return offsetBytes > 104 ? 'additional fields' : name;
}
