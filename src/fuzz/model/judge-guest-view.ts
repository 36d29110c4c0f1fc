/**
 * judgeGuestView: compares what the spec says the guest reads (a GuestLayer, never the engine)
 * with what the model allows, sector by sector, and returns the smallest witness of a mismatch:
 * the lowest sector whose bytes are none of its candidates, with the write ids expected and the
 * origin of the bytes found. Cost follows the allocated data, not the disk size: unallocated runs
 * are read only where the model touched them.
 */
import { newLayerRun, RunFlag, type GuestLayer } from '../../../spec/semantics/layer.js';
import { GuestView } from '../../../spec/semantics/guest-view.js';
import { virtualSizeDurability } from '../../../spec/semantics/durability.js';
import { HOLDS } from '../../../spec/semantics/verdict.js';
import { SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import { candidateBytesFor } from '../content/candidate-bytes.js';
import { describeSectorOrigin } from '../content/decode-sector.js';
import { ZERO_VALUE, type SectorValue } from '../content/sector-value.js';
import type { VerdictTable } from './verdict-table.js';

/** What the judge needs to know of the expected guest disk. */
export interface SectorExpectation {
  virtualSizesBytes: readonly number[];
  candidates(sectorIndex: number): readonly SectorValue[];
  baseValue(sectorIndex: number): SectorValue;
  /** Sectors whose candidates may differ from their base value, ascending. */
  touchedSectors(): readonly number[];
  /** The same sectors as a set. */
  touchedSet(): ReadonlySet<number>;
  /** Equal stamps mean equal candidates for every sector (absent: none known equal). */
  stamp?: number;
}

/** The smallest witness of a guest view that the model does not allow. */
export interface GuestMismatch {
  /** 'size': the virtual size is not allowed; 'sector': a sector holds none of its candidates. */
  kind: 'size' | 'sector';
  sectorIndex: number;
  guestOffsetBytes: number;
  expected: readonly SectorValue[];
  /** Where the bytes found came from (content tags), or the size found. */
  actual: string;
  /** 'size': the virtual size found, bytes. */
  sizeBytes?: number;
}

interface JudgeResult {
  mismatch: GuestMismatch | null;
  /** For sectors with several candidates, the one found (when collectObserved). */
  observed: Map<number, SectorValue>;
  /** Sectors compared. */
  sectorsCompared: number;
}

const READ_CHUNK_BYTES = 64 * 1024;

/** Bytes a guest sector reads that are the same in every crash state of a crash point. */
export const FixedBytes = {
  /** A zero cluster or subcluster. */
  zeros: 0,
  /** Unallocated in the image: the backing file's bytes (or zeros), which no crash changes. */
  below: 1,
} as const;
export type FixedBytes = (typeof FixedBytes)[keyof typeof FixedBytes];

/**
 * Verdicts already reached for "guest sector g reads these bytes": a sector passes again without
 * being read when its bytes come from the same host sector holding the same content, or from the
 * same fixed source (see stateVerdictMemo), and the value they matched is still a candidate.
 */
export interface VerdictMemo {
  /**
   * Into out[0, count): the keys of the bytes guest sectors from `guestSector` on read from the
   * host sectors from `hostSector` on as they are now, -1 where they cannot be memoized.
   */
  keysOf(guestSector: number, hostSector: number, count: number, out: Float64Array): void;
  /** The key of fixed bytes a guest sector reads, or -1 when they cannot be memoized. */
  keyOfFixed(guestSector: number, bytes: FixedBytes): number;
  /**
   * The verdicts reached, per guest sector and key, with the stamp of the expectation each was
   * last confirmed under: one reached under the same stamp holds as it is, one from another
   * expectation once the value it found is among the sector's candidates.
   */
  readonly passed: VerdictTable;
  /** The memo of another view of the same image (a snapshot): the same keys, its own verdicts. */
  forView(view: string): VerdictMemo;
}

/**
 * Judges `top` against `exp`. `seed` is the content seed of the workload.
 * @throws FormatError when the spec cannot read the mapping (callers report it as a finding)
 */
export function judgeGuestView(top: GuestLayer, exp: SectorExpectation, seed: number, collectObserved = false, memo?: VerdictMemo): JudgeResult {
  const result: JudgeResult = { mismatch: null, observed: new Map(), sectorsCompared: 0 };
  const sizeBytes = top.virtualSizeBytes;
  if (virtualSizeDurability(sizeBytes, exp.virtualSizesBytes) !== HOLDS) {
    result.mismatch = { kind: 'size', sectorIndex: 0, guestOffsetBytes: 0, expected: [], actual: `virtual size ${sizeBytes}, allowed ${exp.virtualSizesBytes.join(' or ')}`, sizeBytes };
    return result;
  }
  const touched = exp.touchedSectors();
  const touchedSet = exp.touchedSet();
  const cache = candidateBytesFor(seed);
  const buf = readBuffer();
  const words = new Int32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const keys = keyBuffer();
  const view = new GuestView(top);
  const candidatesOf = (s: number): readonly SectorValue[] => (touchedSet.has(s) ? exp.candidates(s) : [exp.baseValue(s)]);
  /** The value sector `s` matches (its bytes at `at`), or null after recording the mismatch. */
  const check = (s: number, bytes: Uint8Array, at: number): SectorValue | null => {
    result.sectorsCompared++;
    const cands = candidatesOf(s);
    const found = cache.match(words, at / 4, s, cands);
    if (found === null) {
      result.mismatch = { kind: 'sector', sectorIndex: s, guestOffsetBytes: s * SECTOR_SIZE_BYTES, expected: cands, actual: describeSectorOrigin(bytes, at, s, seed) };
      return null;
    }
    if (collectObserved && cands.length > 1) result.observed.set(s, found);
    return found;
  };
  const stamp = exp.stamp ?? NaN;
  /** True when the memo holds a verdict on sector `s` reading the bytes `key` names that still stands. */
  const stillPasses = (key: number, s: number): boolean => {
    if (key < 0) return false;
    const table = memo!.passed;
    const slot = table.find(s, key);
    if (slot < 0) return false;
    if (table.stamp(slot) === stamp) return true;
    if (!candidatesOf(s).includes(table.value(slot))) return false;
    table.restamp(slot, stamp);
    return true;
  };
  const run = newLayerRun();
  let t = 0;
  for (let pos = 0; pos < sizeBytes; pos += run.lengthBytes) {
    top.status(pos, sizeBytes - pos, run, false);
    const end = pos + run.lengthBytes;
    if ((run.flags & RunFlag.data) !== 0 && (run.flags & RunFlag.zero) === 0) {
      // Host offset minus guest offset along the run (negative when the data lies below its guest offset).
      const memoized = memo !== undefined && (run.flags & RunFlag.offsetValid) !== 0 && (run.flags & RunFlag.compressed) === 0;
      const hostAt = run.hostOffsetBytes - pos;
      for (let at = pos; at < end; at += READ_CHUNK_BYTES) {
        const n = Math.min(READ_CHUNK_BYTES, end - at);
        const sectorCount = n / SECTOR_SIZE_BYTES;
        if (memoized) chunkKeys(memo, at, sectorCount, hostAt, keys);
        const held = (i: number): boolean => memoized && stillPasses(keys[i], at / SECTOR_SIZE_BYTES + i);
        // Only the sectors the memo does not hold are read, in runs of neighbours.
        for (let i = 0; i < sectorCount; ) {
          if (held(i)) {
            i++;
            continue;
          }
          let j = i + 1;
          while (j < sectorCount && !held(j)) j++;
          top.readData(at + i * SECTOR_SIZE_BYTES, (j - i) * SECTOR_SIZE_BYTES, buf, i * SECTOR_SIZE_BYTES);
          for (; i < j; i++) {
            const found = check((at + i * SECTOR_SIZE_BYTES) / SECTOR_SIZE_BYTES, buf, i * SECTOR_SIZE_BYTES);
            if (found === null) return result;
            if (memoized && keys[i] >= 0) memo.passed.remember(at / SECTOR_SIZE_BYTES + i, keys[i], found, stamp);
          }
        }
      }
      continue;
    }
    const zero = (run.flags & RunFlag.zero) !== 0;
    while (t < touched.length && touched[t] * SECTOR_SIZE_BYTES < pos) t++;
    if (zero && !checkUntouchedZeros(pos, end, touchedSet, exp, result)) return result;
    for (; t < touched.length && touched[t] * SECTOR_SIZE_BYTES < end; t++) {
      const s = touched[t];
      const key = memo ? memo.keyOfFixed(s, zero ? FixedBytes.zeros : FixedBytes.below) : -1;
      if (stillPasses(key, s)) continue;
      if (zero) buf.fill(0, 0, SECTOR_SIZE_BYTES);
      else view.readInto(s * SECTOR_SIZE_BYTES, SECTOR_SIZE_BYTES, buf, 0);
      const found = check(s, buf, 0);
      if (found === null) return result;
      if (key >= 0) memo!.passed.remember(s, key, found, stamp);
    }
  }
  return result;
}

/** Writes the memo keys of `sectorCount` sectors from guest byte `at` (host byte at + hostAt) into `out`. */
function chunkKeys(memo: VerdictMemo, at: number, sectorCount: number, hostAt: number, out: Float64Array): void {
  memo.keysOf(at / SECTOR_SIZE_BYTES, (at + hostAt) / SECTOR_SIZE_BYTES, sectorCount, out);
}

/** A zero run over sectors the model never touched: their base value must be zeros. */
function checkUntouchedZeros(pos: number, end: number, touched: ReadonlySet<number>, exp: SectorExpectation, result: JudgeResult): boolean {
  for (let s = pos / SECTOR_SIZE_BYTES; s * SECTOR_SIZE_BYTES < end; s++) {
    if (touched.has(s) || exp.baseValue(s) === ZERO_VALUE) continue;
    result.mismatch = { kind: 'sector', sectorIndex: s, guestOffsetBytes: s * SECTOR_SIZE_BYTES, expected: [exp.baseValue(s)], actual: 'zeros' };
    return false;
  }
  return true;
}

let sharedBuffer: Uint8Array | undefined;
let sharedKeys: Float64Array | undefined;

/** The memo keys of one read chunk (one per thread, like the read buffer). */
function keyBuffer(): Float64Array {
  sharedKeys ??= new Float64Array(READ_CHUNK_BYTES / SECTOR_SIZE_BYTES);
  return sharedKeys;
}

/** The judge's read buffer (one per thread; the judge is synchronous, so it is never shared). */
function readBuffer(): Uint8Array {
  sharedBuffer ??= new Uint8Array(READ_CHUNK_BYTES);
  return sharedBuffer;
}
