/**
 * judgeGuestView: compares what the spec says the guest reads (a GuestLayer, never the engine)
 * with what the model allows, sector by sector, and returns the smallest witness of a mismatch:
 * the lowest sector whose bytes are none of its candidates, with the write ids expected and the
 * origin of the bytes found. Cost follows the allocated data, not the disk size: unallocated runs
 * are read only where the model touched them.
 */
import { newLayerRun, RunFlag, type GuestLayer } from '../../../spec/semantics/layer.js';
import { GuestView } from '../../../spec/semantics/guest-view.js';
import { SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import { candidateBytesFor } from '../content/candidate-bytes.js';
import { describeSectorOrigin } from '../content/decode-sector.js';
import { ZERO_VALUE, type SectorValue } from '../content/sector-value.js';

/** What the judge needs to know of the expected guest disk. */
export interface SectorExpectation {
  virtualSizesBytes: readonly number[];
  candidates(sectorIndex: number): readonly SectorValue[];
  baseValue(sectorIndex: number): SectorValue;
  /** Sectors whose candidates may differ from their base value, ascending. */
  touchedSectors(): readonly number[];
  /** The same sectors as a set. */
  touchedSet(): ReadonlySet<number>;
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
}

export interface JudgeResult {
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
 * Verdicts already reached for "guest sector g reads these bytes", shared by the states of one
 * crash point: a sector that passed once passes again when its bytes come from the same host
 * sector holding the same version, or from the same fixed source (see stateVerdictMemo), so it is
 * not read again.
 */
export interface VerdictMemo {
  /** The key of (guest sector, host sector as it is now), or -1 when it cannot be memoized. */
  keyOf(guestSector: number, hostSector: number): number;
  /** The key of (guest sector, fixed bytes), or -1 when it cannot be memoized. */
  keyOfFixed(guestSector: number, bytes: FixedBytes): number;
  readonly passed: Set<number>;
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
  if (!exp.virtualSizesBytes.includes(sizeBytes)) {
    result.mismatch = { kind: 'size', sectorIndex: 0, guestOffsetBytes: 0, expected: [], actual: `virtual size ${sizeBytes}, allowed ${exp.virtualSizesBytes.join(' or ')}` };
    return result;
  }
  const touched = exp.touchedSectors();
  const touchedSet = exp.touchedSet();
  const cache = candidateBytesFor(seed);
  const buf = readBuffer();
  const words = new Int32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const keys = keyBuffer();
  const view = new GuestView(top);
  const check = (s: number, bytes: Uint8Array, at: number): boolean => {
    result.sectorsCompared++;
    const cands = touchedSet.has(s) ? exp.candidates(s) : [exp.baseValue(s)];
    const found = cache.match(words, at / 4, s, cands);
    if (found === null) {
      result.mismatch = { kind: 'sector', sectorIndex: s, guestOffsetBytes: s * SECTOR_SIZE_BYTES, expected: cands, actual: describeSectorOrigin(bytes, at, s, seed) };
      return false;
    }
    if (collectObserved && cands.length > 1) result.observed.set(s, found);
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
        const held = (i: number): boolean => memoized && keys[i] >= 0 && memo.passed.has(keys[i]);
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
            if (!check((at + i * SECTOR_SIZE_BYTES) / SECTOR_SIZE_BYTES, buf, i * SECTOR_SIZE_BYTES)) return result;
            if (memoized && keys[i] >= 0) memo.passed.add(keys[i]);
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
      if (key >= 0 && memo!.passed.has(key)) continue;
      if (zero) buf.fill(0, 0, SECTOR_SIZE_BYTES);
      else view.readInto(s * SECTOR_SIZE_BYTES, SECTOR_SIZE_BYTES, buf, 0);
      if (!check(s, buf, 0)) return result;
      if (key >= 0) memo!.passed.add(key);
    }
  }
  return result;
}

/** Writes the memo keys of `sectorCount` sectors from guest byte `at` (host byte at + hostAt) into `out`. */
function chunkKeys(memo: VerdictMemo, at: number, sectorCount: number, hostAt: number, out: Float64Array): void {
  for (let i = 0; i < sectorCount; i++) out[i] = memo.keyOf(at / SECTOR_SIZE_BYTES + i, (at + hostAt) / SECTOR_SIZE_BYTES + i);
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
