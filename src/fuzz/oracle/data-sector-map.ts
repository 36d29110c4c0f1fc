/**
 * DataSectorMap: which guest sectors (of the active view and of each snapshot the expectation
 * names) read their bytes straight from one of a set of host sectors. States of one group differ
 * only in such host sectors, so once one state passed P4, another state of the group needs only
 * these guest sectors compared. Null when a view reads compressed data (bytes not at one place).
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { newLayerRun, RunFlag, type GuestLayer } from '../../../spec/semantics/layer.js';
import { SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import type { SectorValue } from '../content/sector-value.js';
import type { DurabilityExpectation } from '../model/durability-oracle.js';
import { imageLayerOf, snapshotEntriesOf, snapshotLayerOf, type BackingDevice } from '../spec-view.js';

/** One guest sector read from a watched host sector, with what it may hold. */
export interface MappedSector {
  view: string;
  guestSector: number;
  hostSector: number;
  candidates: readonly SectorValue[];
}

/**
 * The guest sectors of the recovered image behind `source` that read from `watched` host
 * sectors. Call only on an image that judgeData accepted (readable, sizes and snapshots right).
 */
export function mapDataSectors(source: ByteSource, backing: BackingDevice | undefined, exp: DurabilityExpectation, watched: ReadonlySet<number>): MappedSector[] | null {
  const out: MappedSector[] = [];
  if (!collect(imageLayerOf(source, backing), 'active', (s) => (exp.touchedSet().has(s) ? exp.candidates(s) : [exp.baseValue(s)]), watched, out)) return null;
  const snaps = [...exp.requiredSnapshots, ...exp.optionalSnapshots];
  if (snaps.length === 0) return out;
  const entries = snapshotEntriesOf(source);
  for (const [name, snap] of snaps) {
    const entry = entries.find((e) => e.name === name);
    if (!entry) continue;
    const cands = (s: number): readonly SectorValue[] => snap.values.get(s) ?? [exp.baseValue(s)];
    if (!collect(snapshotLayerOf(source, entry, backing), `snapshot ${name}`, cands, watched, out)) return null;
  }
  return out;
}

function collect(top: GuestLayer, view: string, candidates: (s: number) => readonly SectorValue[], watched: ReadonlySet<number>, out: MappedSector[]): boolean {
  const run = newLayerRun();
  const sizeBytes = top.virtualSizeBytes;
  for (let pos = 0; pos < sizeBytes; pos += run.lengthBytes) {
    top.status(pos, sizeBytes - pos, run, false);
    if ((run.flags & RunFlag.data) === 0 || (run.flags & RunFlag.zero) !== 0) continue;
    if ((run.flags & RunFlag.compressed) !== 0 || (run.flags & RunFlag.offsetValid) === 0) return false;
    for (let off = 0; off < run.lengthBytes; off += SECTOR_SIZE_BYTES) {
      const hostSector = (run.hostOffsetBytes + off) / SECTOR_SIZE_BYTES;
      if (!watched.has(hostSector)) continue;
      const guestSector = (pos + off) / SECTOR_SIZE_BYTES;
      out.push({ view, guestSector, hostSector, candidates: candidates(guestSector) });
    }
  }
  return true;
}
