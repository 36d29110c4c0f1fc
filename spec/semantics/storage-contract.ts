/**
 * The storage contract: which file states a power loss may leave behind, given the operations an
 * engine completed (a history of StorageOps, in completion order) and the crash point.
 *
 * Takes the history, the crash point, the file before the first operation and a candidate state;
 * gives the allowed sizes and per-sector allowed contents, and a verdict with findings named by
 * clause (SC-1 .. SC-6, see storage-contract.md). Pure: no I/O, imports nothing from src/, and
 * shares no code with the crash-state generator it judges.
 */
import type { ByteSource } from '../format/byte-source.js';
import { readPadded } from '../format/byte-source.js';

/** What one completed operation did to the file. */
export type StorageOpKind = 'write' | 'zeroes' | 'discard' | 'flush' | 'truncate';

/** One completed operation, as a RecordingDevice logs it. All numbers are bytes. */
export interface StorageOp {
  kind: StorageOpKind;
  /** write, zeroes, discard: first byte of the range; truncate: the new size; flush: 0. */
  offsetBytes: number;
  /** Length of the range (write, zeroes, discard); 0 for flush and truncate. */
  lengthBytes: number;
  /** write: the bytes written, `lengthBytes` long. */
  data?: Uint8Array;
  /** Forced unit access: durable as soon as it completed (SC-4). */
  fua: boolean;
  /** File size once the operation completed. */
  sizeBytesAfter: number;
}

/** What the contract allows at one crash point. */
export interface AllowedState {
  crashPoint: number;
  /** Index of the last flush before the crash point, or -1: everything up to it is durable (SC-1). */
  lastFlushIndex: number;
  sectorSizeBytes: number;
  /** The sizes the file may have (SC-5), without repeats. */
  sizesBytes: number[];
  /**
   * Each sector touched since the last flush, with every content it may hold (SC-2, SC-3, SC-4,
   * SC-6), as full sectors (zeros past the end of the file).
   */
  pendingSectors: Map<number, Uint8Array[]>;
  /** The durable content of any sector (SC-1), a full sector. */
  durableSector(sectorIndex: number): Uint8Array;
}

/** One way a state breaks the contract, with the smallest witness. */
export interface ContractFinding {
  rule: 'SC-1' | 'SC-2' | 'SC-4' | 'SC-5';
  where: string;
  detail: string;
}

export interface ContractVerdict {
  valid: boolean;
  findings: ContractFinding[];
}

/** Sector contents of a file as operations change it, sparse (untouched sectors read the base). */
class SectorImage {
  private readonly sectors = new Map<number, Uint8Array>();
  private baseVisibleBytes: number;

  constructor(
    private readonly base: ByteSource,
    readonly sectorSizeBytes: number,
  ) {
    this.baseVisibleBytes = base.sizeBytes;
  }

  get(sectorIndex: number): Uint8Array {
    const held = this.sectors.get(sectorIndex);
    if (held) return held;
    const s = this.sectorSizeBytes;
    const out = new Uint8Array(s);
    const visible = Math.min(s, this.baseVisibleBytes - sectorIndex * s);
    if (visible > 0) out.set(readPadded(this.base, sectorIndex * s, visible));
    return out;
  }

  /**
   * Patches [fromBytes, toBytes) with `data` (zeros when null); returns, per sector touched, its
   * index, its image before and its image after.
   */
  patch(fromBytes: number, toBytes: number, data: Uint8Array | null): Array<[number, Uint8Array, Uint8Array]> {
    const s = this.sectorSizeBytes;
    const out: Array<[number, Uint8Array, Uint8Array]> = [];
    for (let index = Math.floor(fromBytes / s); index * s < toBytes; index++) {
      const lo = Math.max(fromBytes, index * s);
      const hi = Math.min(toBytes, (index + 1) * s);
      const before = this.get(index);
      const image = before.slice();
      if (data) image.set(data.subarray(lo - fromBytes, hi - fromBytes), lo - index * s);
      else image.fill(0, lo - index * s, hi - index * s);
      this.sectors.set(index, image);
      out.push([index, before, image]);
    }
    return out;
  }

  /** A durable shrink: the tail is cut and base bytes past it stay hidden. */
  shrink(sizeBytes: number, oldSizeBytes: number): void {
    const s = this.sectorSizeBytes;
    if (sizeBytes % s !== 0) this.patch(sizeBytes, Math.min(oldSizeBytes, Math.ceil(sizeBytes / s) * s), null);
    for (const index of [...this.sectors.keys()]) if (index * s >= sizeBytes) this.sectors.delete(index);
    this.baseVisibleBytes = Math.min(this.baseVisibleBytes, sizeBytes);
  }
}

/** The byte range an operation changes and the bytes it puts there (null: zeros). */
function changedRange(op: StorageOp, sizeBeforeBytes: number): { fromBytes: number; toBytes: number; data: Uint8Array | null } {
  const end = op.offsetBytes + op.lengthBytes;
  switch (op.kind) {
    case 'write':
      return { fromBytes: op.offsetBytes, toBytes: end, data: op.data ?? null };
    case 'zeroes':
      return { fromBytes: op.offsetBytes, toBytes: end, data: null };
    case 'discard':
      return { fromBytes: op.offsetBytes, toBytes: Math.max(op.offsetBytes, Math.min(end, sizeBeforeBytes)), data: null };
    case 'truncate':
      return { fromBytes: op.offsetBytes, toBytes: Math.max(op.offsetBytes, sizeBeforeBytes), data: null };
    case 'flush':
      return { fromBytes: 0, toBytes: 0, data: null };
  }
}

/** Index of the last flush among ops[0, crashPoint), or -1. */
export function lastFlushBefore(ops: readonly StorageOp[], crashPoint: number): number {
  for (let i = crashPoint - 1; i >= 0; i--) if (ops[i].kind === 'flush') return i;
  return -1;
}

/**
 * What may be on disk after a crash once ops[0, crashPoint) completed.
 * @param base the file before ops[0]
 * @param sectorSizeBytes tearing granularity, a power of two (512 or 4096)
 * @throws RangeError when the crash point is outside 0..ops.length
 */
function describeAllowedState(ops: readonly StorageOp[], crashPoint: number, base: ByteSource, sectorSizeBytes = 512): AllowedState {
  if (!Number.isInteger(crashPoint) || crashPoint < 0 || crashPoint > ops.length) throw new RangeError(`crash point ${crashPoint} outside 0..${ops.length}`);
  const lastFlushIndex = lastFlushBefore(ops, crashPoint);
  const image = new SectorImage(base, sectorSizeBytes);
  const sizeBefore = (i: number): number => (i === 0 ? base.sizeBytes : ops[i - 1].sizeBytesAfter);
  for (let i = 0; i <= lastFlushIndex; i++) {
    const op = ops[i];
    if (op.kind === 'truncate' && op.offsetBytes < sizeBefore(i)) image.shrink(op.offsetBytes, sizeBefore(i));
    else if (op.kind !== 'truncate') {
      const r = changedRange(op, sizeBefore(i));
      image.patch(r.fromBytes, r.toBytes, r.data);
    }
  }
  const durable = new Map<number, Uint8Array>();
  const pendingSectors = new Map<number, Uint8Array[]>();
  let sizes = [sizeBefore(lastFlushIndex + 1)];
  for (let i = lastFlushIndex + 1; i < crashPoint; i++) {
    const op = ops[i];
    const r = changedRange(op, sizeBefore(i));
    const isFuaWrite = op.fua && op.kind === 'write';
    for (const [index, before, after] of image.patch(r.fromBytes, r.toBytes, r.data)) {
      if (!durable.has(index)) durable.set(index, before);
      const allowed = pendingSectors.get(index) ?? [before];
      if (isFuaWrite) allowed.length = 0;
      allowed.push(after);
      pendingSectors.set(index, allowed);
    }
    sizes = isFuaWrite ? [op.sizeBytesAfter] : [...sizes, op.sizeBytesAfter];
  }
  const durableSector = (index: number): Uint8Array => durable.get(index) ?? image.get(index);
  return { crashPoint, lastFlushIndex, sectorSizeBytes, sizesBytes: [...new Set(sizes)], pendingSectors, durableSector };
}

/** Findings reported per verdict at most; the first is the smallest witness (lowest sector). */
const FINDINGS_MAX = 16;

/**
 * Judges a state against the contract: its size must be allowed (SC-5) and every sector below
 * its size must hold, up to the end of file, one of the contents allowed for it (SC-1, SC-2, SC-4).
 * Never throws on a finding; findings are sorted by sector.
 * @param sectorSizeBytes tearing granularity (512 or 4096)
 * @throws RangeError when the crash point is outside 0..ops.length
 */
export function checkCrashState(ops: readonly StorageOp[], crashPoint: number, base: ByteSource, state: ByteSource, sectorSizeBytes = 512): ContractVerdict {
  const allowed = describeAllowedState(ops, crashPoint, base, sectorSizeBytes);
  const findings: ContractFinding[] = [];
  const sizeBytes = state.sizeBytes;
  if (!allowed.sizesBytes.includes(sizeBytes)) {
    findings.push({ rule: 'SC-5', where: 'file size', detail: `size ${sizeBytes} is not one of the allowed sizes ${allowed.sizesBytes.join(', ')}` });
  }
  const s = sectorSizeBytes;
  for (let index = 0; index * s < sizeBytes && findings.length < FINDINGS_MAX; index++) {
    const lengthBytes = Math.min(s, sizeBytes - index * s);
    const actual = readPadded(state, index * s, lengthBytes);
    const pending = allowed.pendingSectors.get(index);
    const candidates = pending ?? [allowed.durableSector(index)];
    if (candidates.some((c) => prefixEquals(c, actual))) continue;
    const durable = allowed.durableSector(index);
    const firstDiff = firstDifference(durable, actual);
    const rule = !pending ? 'SC-1' : prefixEquals(durable, actual) ? 'SC-4' : 'SC-2';
    findings.push({
      rule,
      where: `sector ${index} @0x${(index * s + firstDiff).toString(16)}`,
      detail: describeMismatch(rule, candidates.length, actual[firstDiff], durable[firstDiff]),
    });
  }
  return { valid: findings.length === 0, findings };
}

function describeMismatch(rule: string, candidateCount: number, actualByte: number, durableByte: number): string {
  const bytes = `holds 0x${actualByte.toString(16)} where the durable state has 0x${durableByte.toString(16)}`;
  if (rule === 'SC-1') return `${bytes}; no write since the last flush touched this sector, so it must be durable`;
  if (rule === 'SC-4') return `${bytes}; a FUA write since the last flush made its own content durable here`;
  return `${bytes}; matches none of the ${candidateCount} contents allowed (old, or one write's image)`;
}

function prefixEquals(candidate: Uint8Array, actual: Uint8Array): boolean {
  for (let i = 0; i < actual.length; i++) if (candidate[i] !== actual[i]) return false;
  return true;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return i;
  return 0;
}
