/**
 * Guest durability (GD-*): what a guest may read after a crash, given the guest operations it
 * issued and how far their storage operations got. Pure predicates over plain data returning a
 * Verdict; values are opaque (`V`: whatever names a sector's content for the caller).
 *
 * The crash window: a guest op spans storage ops [startOp, endOp). A crash after storage ops
 * [0, crashPoint) keeps every op up to the last barrier (flush, close) that completed by then:
 * the guest's view at that barrier is durable. Every later op that had started by then is in
 * flight: each of its sectors may have landed or not. Nothing else may appear.
 * - GD-1: a sector no op in flight wrote reads its durable value (flushed data survives).
 * - GD-2: a sector an op in flight wrote reads its durable value or one of the values written
 *   (nothing appears that nobody wrote).
 * - GD-3: the virtual size is the durable one or one an op in flight set.
 * - GD-4: a snapshot that existed at the durable barrier, and that no op in flight deleted, exists.
 */
import { HOLDS, unknown, violated, type Verdict } from './verdict.js';

/** The clause ids of the durability rules. */
const durabilityClauses = {
  flushedLost: 'GD-1',
  neverWritten: 'GD-2',
  size: 'GD-3',
  snapshotMissing: 'GD-4',
} as const;

/** The storage-op span of one guest op, and whether it is a barrier. */
export interface OpSpan {
  startOp: number;
  endOp: number;
  barrier: boolean;
}

/** The guest ops a crash keeps: durable through `durableIndex`, in flight in (durableIndex, inFlightEnd). */
export interface CrashWindow {
  /** Index of the last barrier completed by the crash point, -1 for none (the segment's start). */
  durableIndex: number;
  /** One past the last op in flight (ops start in order). */
  inFlightEnd: number;
}

/** The crash window of `spans` (in issue order) after storage ops [0, crashPoint) completed. */
export function crashWindowAt(spans: readonly OpSpan[], crashPoint: number): CrashWindow {
  let durableIndex = -1;
  for (let i = 0; i < spans.length; i++) if (spans[i].barrier && spans[i].endOp <= crashPoint) durableIndex = i;
  let inFlightEnd = durableIndex + 1;
  while (inFlightEnd < spans.length && spans[inFlightEnd].startOp <= crashPoint) inFlightEnd++;
  return { durableIndex, inFlightEnd };
}

/** One guest sector as read after a crash, with what the crash window allows there. */
export interface SectorReading<V> {
  /** Which image: "active" or "snapshot NAME". */
  view: string;
  sectorIndex: number;
  guestOffsetBytes: number;
  /** The values allowed: the durable value first, then those of the ops in flight. */
  candidates: readonly V[];
  /** The candidate the bytes read are equal to, or null when they equal none. */
  found: V | null;
  /** Where the bytes read came from, for people. */
  actual: string;
}

/** GD-1, GD-2: the sector reads one of its candidates. */
export function sectorDurability<V>(r: SectorReading<V>): Verdict<SectorReading<V>> {
  if (r.found !== null && r.candidates.includes(r.found)) return HOLDS;
  const clause = r.candidates.length === 1 ? durabilityClauses.flushedLost : durabilityClauses.neverWritten;
  return violated(clause, [clause], r);
}

export interface SizeWitness {
  sizeBytes: number;
  allowedSizesBytes: readonly number[];
}

/** GD-3: the virtual size found is one of the allowed sizes (the durable one first). */
export function virtualSizeDurability(sizeBytes: number, allowedSizesBytes: readonly number[]): Verdict<SizeWitness> {
  if (allowedSizesBytes.includes(sizeBytes)) return HOLDS;
  return violated(durabilityClauses.size, [durabilityClauses.size], { sizeBytes, allowedSizesBytes });
}

export interface SnapshotWitness {
  name: string;
  /** The names of the snapshots the image has. */
  present: readonly string[];
}

/** GD-4: a snapshot the crash window requires exists; an optional one (created or deleted in flight) may be absent. */
export function snapshotDurability(name: string, required: boolean, present: readonly string[]): Verdict<SnapshotWitness> {
  if (!required || present.includes(name)) return HOLDS;
  return violated(durabilityClauses.snapshotMissing, [durabilityClauses.snapshotMissing], { name, present });
}

/**
 * Durability cannot be judged on an image whose guest view the spec cannot read; `rule` is the
 * rule the image breaks (crash-properties.ts decides what that means for the crash).
 */
export function unreadableGuestView(rule: string, reason: string): Verdict<never> {
  return unknown(reason, rule);
}
