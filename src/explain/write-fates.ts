/**
 * writeFates: the fate of each write of a crash epoch in one crash state, sector by sector: kept
 * when every sector it changed shows its bytes (or a later write's), dropped when none does, torn
 * in between, with the host bytes that landed and those lost. Follows CrashState.summarize's rule
 * (a sector past the state's size is lost; a write that changed no byte is kept) and adds where.
 */
import type { CrashState } from '../storage/crash-states/crash-state.js';
import type { ByteRange, WriteFate } from './explanation.js';

/** Fates by storage operation index, for the writes, zeroings and discards since the last flush. */
export function writeFates(state: CrashState): Map<number, WriteFate> {
  const m = state.model;
  const s = m.sectorSizeBytes;
  const out = new Map<number, WriteFate>();
  for (const p of m.pending) {
    if (p.op.kind === 'flush' || p.op.kind === 'truncate') continue;
    const landed: ByteRange[] = [];
    const lost: ByteRange[] = [];
    for (let t = p.lo; t < p.hi; t++) {
      if (!p.changed[t - p.lo]) continue;
      const sector = m.touched.sectors[t];
      const own = p.codes[t - p.lo];
      const shows = sector * s < state.sizeBytes && (own < 0 || state.codes[t] <= own);
      append(shows ? landed : lost, sector * s, (sector + 1) * s);
    }
    const count = sum(landed) / s + sum(lost) / s;
    const fate = lost.length === 0 ? 'kept' : landed.length === 0 ? 'dropped' : 'torn';
    const f: WriteFate = { fate, sectorCount: count, sectorsLanded: sum(landed) / s };
    if (fate === 'torn') Object.assign(f, { landed, lost });
    out.set(p.opIndex, f);
  }
  return out;
}

/** A fate for writes that all completed (a recovery that ran to its end). */
export function completedFate(): WriteFate {
  return { fate: 'completed', sectorCount: 0, sectorsLanded: 0 };
}

function append(ranges: ByteRange[], fromBytes: number, toBytes: number): void {
  const last = ranges[ranges.length - 1];
  if (last && last.toBytes === fromBytes) last.toBytes = toBytes;
  else ranges.push({ fromBytes, toBytes });
}

function sum(ranges: readonly ByteRange[]): number {
  return ranges.reduce((n, r) => n + r.toBytes - r.fromBytes, 0);
}
