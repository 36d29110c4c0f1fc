/**
 * SectorValue: what one 512-byte guest sector holds, as a short canonical key naming where each
 * byte came from, so values compare as strings and a report can say which write wrote them.
 *
 * A source is a write id (its content for this position, content-tag.ts) or ZERO_SOURCE. A key is
 * either one source for the whole sector ("7", "z") or pieces "from-to:source" joined by ","
 * ("0-100:7,100-512:z"), sorted, adjacent equal sources merged.
 */
import { fillWriteContent, SECTOR_SIZE_BYTES } from './content-tag.js';

/** The source of zero bytes. */
export const ZERO_SOURCE = -1;

/** A canonical sector value key. */
export type SectorValue = string;

/** The value of a sector that reads as zeros. */
export const ZERO_VALUE: SectorValue = 'z';

/** One run of a sector value: bytes [fromBytes, toBytes) of the sector come from `source`. */
interface ValuePiece {
  fromBytes: number;
  toBytes: number;
  source: number;
}

/** The value of a whole sector written by one source. */
export function wholeValue(source: number): SectorValue {
  return source === ZERO_SOURCE ? ZERO_VALUE : String(source);
}

function sourceText(source: number): string {
  return source === ZERO_SOURCE ? 'z' : String(source);
}

function parseSource(text: string): number {
  return text === 'z' ? ZERO_SOURCE : Number(text);
}

/** The pieces of a value, in order, covering [0, 512). */
export function valuePieces(value: SectorValue): ValuePiece[] {
  if (!value.includes(':')) return [{ fromBytes: 0, toBytes: SECTOR_SIZE_BYTES, source: parseSource(value) }];
  return value.split(',').map((part) => {
    const [range, source] = part.split(':');
    const [from, to] = range.split('-');
    return { fromBytes: Number(from), toBytes: Number(to), source: parseSource(source) };
  });
}

/** The canonical key of pieces covering [0, 512) in order. */
function valueOfPieces(pieces: readonly ValuePiece[]): SectorValue {
  const merged: ValuePiece[] = [];
  for (const p of pieces) {
    if (p.toBytes <= p.fromBytes) continue;
    const last = merged[merged.length - 1];
    if (last && last.source === p.source && last.toBytes === p.fromBytes) last.toBytes = p.toBytes;
    else merged.push({ ...p });
  }
  if (merged.length === 1) return wholeValue(merged[0].source);
  return merged.map((p) => `${p.fromBytes}-${p.toBytes}:${sourceText(p.source)}`).join(',');
}

/**
 * The value after bytes [fromBytes, toBytes) of the sector were overwritten by `source`.
 * @throws RangeError when the range is not inside the sector
 */
export function patchValue(value: SectorValue, fromBytes: number, toBytes: number, source: number): SectorValue {
  if (fromBytes < 0 || toBytes > SECTOR_SIZE_BYTES || fromBytes > toBytes) throw new RangeError(`sector range ${fromBytes}..${toBytes}`);
  if (fromBytes === 0 && toBytes === SECTOR_SIZE_BYTES) return wholeValue(source);
  const out: ValuePiece[] = [];
  for (const p of valuePieces(value)) {
    if (p.fromBytes < fromBytes) out.push({ fromBytes: p.fromBytes, toBytes: Math.min(p.toBytes, fromBytes), source: p.source });
    if (p.toBytes > toBytes) out.push({ fromBytes: Math.max(p.fromBytes, toBytes), toBytes: p.toBytes, source: p.source });
  }
  out.push({ fromBytes, toBytes, source });
  out.sort((a, b) => a.fromBytes - b.fromBytes);
  return valueOfPieces(out);
}

/** Writes the bytes of `value` for guest sector `sectorIndex` into `out` (512 bytes at `at`). */
export function materializeValue(value: SectorValue, sectorIndex: number, seed: number, out: Uint8Array, at = 0): void {
  const sectorStart = sectorIndex * SECTOR_SIZE_BYTES;
  for (const p of valuePieces(value)) {
    const target = out.subarray(at + p.fromBytes, at + p.toBytes);
    if (p.source === ZERO_SOURCE) target.fill(0);
    else fillWriteContent(seed, p.source, sectorStart + p.fromBytes, target);
  }
}

/** One line for people: "write #7", "zeros", "write #3 in 0-100, zeros in 100-512". */
export function describeValue(value: SectorValue): string {
  const pieces = valuePieces(value);
  const name = (s: number): string => (s === ZERO_SOURCE ? 'zeros' : `write #${s}`);
  if (pieces.length === 1) return name(pieces[0].source);
  return pieces.map((p) => `${name(p.source)} in ${p.fromBytes}-${p.toBytes}`).join(', ');
}
