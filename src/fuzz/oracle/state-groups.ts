/**
 * State groups: crash states of one crash point that differ only in guest data sectors (sectors
 * whose every version is zeros or fuzz content tags) share their metadata bytes, so a check or a
 * recovery that never reads those sectors (ReadTracker proves it) gives every state of the group
 * the same verdict and the same writes. The group key is the size code and the version codes of
 * every other touched sector. Classification only decides sharing; soundness comes from tracking.
 */
import { CHUNK_MAGIC, CHUNK_SIZE_BYTES } from '../content/content-tag.js';
import type { CrashPointModel } from '../../storage/crash-states/crash-point-model.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';

interface GroupLayout {
  /** Touched-sector positions (into the model's codes) that form the key. */
  keyPositions: Int32Array;
  /** Host sector indexes, ascending, in which states of one group may differ. */
  dataSectors: Float64Array;
}

const layouts = new WeakMap<CrashPointModel, GroupLayout>();

/** The group layout of a crash point (computed once per model). */
export function groupLayoutOf(model: CrashPointModel): GroupLayout {
  let layout = layouts.get(model);
  if (layout) return layout;
  const key: number[] = [];
  const data: number[] = [];
  for (let t = 0; t < model.touched.count; t++) {
    const versions = model.versions[t];
    if (versions.length < 2) continue;
    if (versions.every(isContentSector)) data.push(model.touched.sectors[t]);
    else key.push(t);
  }
  layout = { keyPositions: Int32Array.from(key), dataSectors: Float64Array.from(data) };
  layouts.set(model, layout);
  return layout;
}

/** The group key of a state. */
export function groupKeyOf(state: CrashState, layout: GroupLayout): string {
  const codes = state.codes;
  const parts: number[] = [state.sizeCode];
  for (let i = 0; i < layout.keyPositions.length; i++) parts.push(codes[layout.keyPositions[i]]);
  if (parts.some((c) => c > 0xffff)) return parts.join(',');
  let out = '';
  for (let i = 0; i < parts.length; i += 4096) out += String.fromCharCode(...parts.slice(i, i + 4096));
  return out;
}

/** True when every 16-byte chunk is zeros or starts with the content tag magic. */
function isContentSector(bytes: Uint8Array): boolean {
  for (let at = 0; at + CHUNK_SIZE_BYTES <= bytes.length; at += CHUNK_SIZE_BYTES) {
    const w0 = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
    if (w0 === CHUNK_MAGIC) continue;
    for (let i = at; i < at + CHUNK_SIZE_BYTES; i++) if (bytes[i] !== 0) return false;
  }
  return true;
}
