/**
 * judgeRepairedData: P7-3 and P7-4 on the image a successful repair of a damaged image left. Reads
 * every guest sector of the active view through spec/ (never the repair or the engine): a sector of
 * a cluster the damage did not reach (mappingDamage) must read what the model says it held before
 * the damage; no sector may hold bytes written for another guest offset (their content tags name
 * it) unless the damaged image already read exactly those bytes there. The decisions are
 * spec/semantics/damage-repair-properties.ts's; this file reads sectors and words the violation.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { isFormatError } from '../../../spec/format/format-error.js';
import { repairedSectorVerdict } from '../../../spec/semantics/damage-repair-properties.js';
import { GuestView } from '../../../spec/semantics/guest-view.js';
import { isGuestClusterDamaged, type MappingDamage } from '../../../spec/semantics/mapping-damage.js';
import { sameBytes } from '../../storage/same-bytes.js';
import { candidateBytesFor } from '../content/candidate-bytes.js';
import { CHUNK_SIZE_BYTES, CHUNKS_PER_SECTOR, decodeChunk, SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import { describeSectorOrigin } from '../content/decode-sector.js';
import { describeValue, type SectorValue } from '../content/sector-value.js';
import type { DurabilityExpectation } from '../model/durability-oracle.js';
import { imageLayerOf, type BackingDevice } from '../spec-view.js';
import type { Violation } from '../violation.js';

interface RepairedDataInput {
  /** The image the repair left. */
  repaired: ByteSource;
  /** The damaged image the repair started from. */
  damaged: ByteSource;
  backing: BackingDevice | undefined;
  /** What the guest read before the damage (the model after the run's clean close). */
  exp: DurabilityExpectation;
  contentSeed: number;
  damage: MappingDamage;
  stage: string;
}

const CHUNK_BYTES = 64 * 1024;

/** The first sector that breaks P7-3 or P7-4, as a violation; null when none does. */
export function judgeRepairedData(input: RepairedDataInput): Violation | null {
  const { exp, stage } = input;
  let view: GuestView;
  try {
    view = new GuestView(imageLayerOf(input.repaired, input.backing));
  } catch (err) {
    if (!isFormatError(err)) throw err;
    return unreadable(err.rule, err.message, stage);
  }
  const expectedSize = exp.virtualSizesBytes[0];
  if (view.sizeBytes !== expectedSize && !input.damage.all) {
    return { property: 'P7', rules: ['GD-3', 'P7-3'], summary: `the repair changed the virtual size from ${expectedSize} to ${view.sizeBytes}, which the damage did not touch`, stage, expected: `${expectedSize}`, actual: `${view.sizeBytes}` };
  }
  const damagedSector = damagedReader(input.damaged, input.backing);
  const cache = candidateBytesFor(input.contentSeed);
  const touched = exp.touchedSet();
  const candidatesOf = (s: number): readonly SectorValue[] => (touched.has(s) ? exp.candidates(s) : [exp.baseValue(s)]);
  const buf = new Uint8Array(CHUNK_BYTES);
  const words = new Int32Array(buf.buffer);
  const size = Math.min(view.sizeBytes, expectedSize);
  for (let at = 0; at < size; at += CHUNK_BYTES) {
    const n = Math.min(CHUNK_BYTES, size - at);
    try {
      view.readInto(at, n, buf, 0);
    } catch (err) {
      if (!isFormatError(err)) throw err;
      return unreadable(err.rule, err.message, stage);
    }
    for (let off = 0; off < n; off += SECTOR_SIZE_BYTES) {
      const s = (at + off) / SECTOR_SIZE_BYTES;
      const mappingDamaged = isGuestClusterDamaged(input.damage, Math.floor((at + off) / input.damage.clusterSizeBytes));
      const foreign = holdsForeignData(buf, off, s, input.contentSeed);
      if (mappingDamaged && !foreign) continue;
      const sector = buf.subarray(off, off + SECTOR_SIZE_BYTES);
      const cands = candidatesOf(s);
      const facts = {
        mappingDamaged,
        foreign,
        readsAsBefore: mappingDamaged ? true : cache.match(words, off / 4, s, cands) !== null,
        sameAsDamaged: foreign && sameSector(damagedSector(s), sector),
      };
      const v = repairedSectorVerdict(facts);
      if (v.status !== 'violated') continue;
      const actual = describeSectorOrigin(buf, off, s, input.contentSeed);
      const expected = cands.map(describeValue).join(' or ');
      const where = `guest sector ${s} (offset 0x${(s * SECTOR_SIZE_BYTES).toString(16)})`;
      const summary =
        v.clause === 'P7-4'
          ? `${where} reads ${actual}: data of another guest offset, which the damaged image did not read there`
          : `${where} holds ${actual}, expected ${expected}: the damage left its mapping alone`;
      return { property: 'P7', rules: [...v.rules], summary, stage, expected, actual, sector: { guestOffsetBytes: s * SECTOR_SIZE_BYTES, sectorIndex: s, expected: [...cands], actual, view: 'active' } };
    }
  }
  return null;
}

/** True when a chunk of the sector at `off` carries a content tag for another guest offset. */
function holdsForeignData(buf: Uint8Array, off: number, sectorIndex: number, seed: number): boolean {
  for (let c = 0; c < CHUNKS_PER_SECTOR; c++) {
    const o = decodeChunk(buf, off + c * CHUNK_SIZE_BYTES, seed);
    if (o.kind === 'tag' && o.chunkIndex !== sectorIndex * CHUNKS_PER_SECTOR + c) return true;
  }
  return false;
}

/** Reads sectors of the damaged image's guest view as the spec reads it (null where it cannot). */
function damagedReader(damaged: ByteSource, backing: BackingDevice | undefined): (s: number) => Uint8Array | null {
  let view: GuestView | null | undefined;
  const readable = (err: unknown): null => {
    if (!isFormatError(err) && !(err instanceof RangeError)) throw err;
    return null;
  };
  return (s) => {
    if (view === undefined) {
      try {
        view = new GuestView(imageLayerOf(damaged, backing));
      } catch (err) {
        view = readable(err);
      }
    }
    if (view === null || (s + 1) * SECTOR_SIZE_BYTES > view.sizeBytes) return null;
    try {
      return view.read(s * SECTOR_SIZE_BYTES, SECTOR_SIZE_BYTES);
    } catch (err) {
      return readable(err);
    }
  };
}

function sameSector(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && sameBytes(a, b);
}

function unreadable(rule: string, message: string, stage: string): Violation {
  return { property: 'P7', rules: ['P7-3', rule], summary: `the repaired image's guest view cannot be read: ${message}`, stage, expected: 'a readable image', actual: message };
}
