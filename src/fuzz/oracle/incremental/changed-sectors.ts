/**
 * changedSectors: the sectors in which a crash state differs from the last flushed image of its
 * crash point (the model's durable file): the touched sectors whose version is not the durable
 * one, inside the state's file. Everything else reads as the durable file does (CrashStateView).
 */
import type { CrashState } from '../../../storage/crash-states/crash-state.js';

/** Sector indexes (of the model's sector size), ascending. */
export function changedSectors(state: CrashState): number[] {
  const model = state.model;
  const touched = model.touched;
  const endSector = Math.ceil(state.sizeBytes / model.sectorSizeBytes);
  const out: number[] = [];
  for (let t = 0; t < touched.count; t++) {
    const sector = touched.sectors[t];
    if (sector >= endSector) break;
    if (state.codes[t] !== model.durableCodes[t]) out.push(sector);
  }
  return out;
}
