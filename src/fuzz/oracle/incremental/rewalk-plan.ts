/**
 * The rewalk plan of a crash state: which L1 entries the incremental judge walks again, and why.
 * The state's changed sectors are put against the flushed image's cluster roles (header, fixed
 * tables, L1 tables, L2 tables, refcount blocks): a changed L1 entry or L2 table means its L1
 * entry; a changed stored refcount means every active L1 entry that references the cluster (its
 * COPIED flags are judged against that refcount). A change to a table the judge does not follow
 * stops the plan (the state then gets the full check).
 */
import { readPadded, type ByteSource } from '../../../../spec/format/byte-source.js';
import type { OnDiskRefcounts } from '../../../../spec/walk/on-disk-refcounts.js';
import { SourceKind } from '../../../../spec/walk/reference-source.js';
import type { CrashState } from '../../../storage/crash-states/crash-state.js';
import type { BaseCheck, WalkedL1Table } from './base-check.js';
import { changedSectors } from './changed-sectors.js';
import type { FallbackReason } from './incremental-check.js';
import { l1EntryOrdinal } from './walk-ordinal.js';

/** An L1 entry to walk again. */
export interface Rewalk {
  snapshotIndex: number;
  l1Index: number;
  l1OffsetBytes: number;
}

/** What the changed sectors touch, by the base's cluster roles. */
export interface Touches {
  header: boolean;
  /** Byte ranges written in L1 tables. */
  l1: Array<{ table: WalkedL1Table; fromBytes: number; toBytes: number }>;
  /** L1 entries (by ordinal) whose L2 table changed. */
  l2: Set<number>;
  /** Per refcount table index, byte ranges written in its block. */
  refblocks: Map<number, Array<[number, number]>>;
}


/** The base's cluster roles the state's changed sectors fall in. */
export function touchesOf(base: BaseCheck, state: CrashState): Touches | { fallback: FallbackReason } {
  const out: Touches = { header: false, l1: [], l2: new Set(), refblocks: new Map() };
  const cs = base.image.clusterSizeBytes;
  const sectorSizeBytes = state.model.sectorSizeBytes;
  for (const sector of changedSectors(state)) {
    const fromBytes = sector * sectorSizeBytes;
    const toBytes = fromBytes + sectorSizeBytes;
    const last = Math.floor((toBytes - 1) / cs);
    for (let k = Math.floor(fromBytes / cs); k <= last; k++) {
      for (const role of base.roles.get(k) ?? []) {
        switch (role.kind) {
          case 'header':
            out.header = true;
            break;
          case 'fixed':
            return { fallback: role.what === 'refcount table' ? 'refcount-table' : 'snapshot-table' };
          case 'l1':
            out.l1.push({ table: role.table, fromBytes, toBytes });
            break;
          case 'l2':
            out.l2.add(role.ordinal);
            break;
          case 'refblock': {
            const list = out.refblocks.get(role.reftableIndex) ?? [];
            list.push([fromBytes, toBytes]);
            out.refblocks.set(role.reftableIndex, list);
            break;
          }
        }
      }
    }
  }
  return out;
}


/** The L1 entries to walk again, by walk ordinal: those the state's writes reach (their entry or their L2 table). */
export function rewalksOf(base: BaseCheck, touches: Touches, source: ByteSource): Map<number, Rewalk> {
  const out = new Map<number, Rewalk>();
  for (const ordinal of touches.l2) addRewalk(out, base.segments.get(ordinal)!.table, base.segments.get(ordinal)!.l1Index);
  for (const { table, fromBytes, toBytes } of touches.l1) {
    const from = Math.max(fromBytes, table.offsetBytes);
    const to = Math.min(toBytes, table.offsetBytes + table.entryCount * 8);
    for (let i = Math.floor((from - table.offsetBytes) / 8); i * 8 + table.offsetBytes < to; i++) {
      const entry = entryAt(source, table.offsetBytes + i * 8);
      if (entry.hi !== table.entries.hi(i) || entry.lo !== table.entries.lo(i)) addRewalk(out, table, i);
    }
  }
  return out;
}

/**
 * Adds to `rewalks` the active L1 entries whose COPIED checks read a stored refcount the state
 * changed: those that reference such a cluster, found in the base's reference index, unless the
 * entries already walked again account for every reference to it (the common case: a cluster
 * allocated or freed by the same writes; then the index is not needed).
 */
export function addCopiedRewalks(base: BaseCheck, rewalks: Map<number, Rewalk>, changed: ReadonlySet<number>): void {
  if (changed.size === 0) return;
  const removed = removedRefs(base, rewalks);
  const active = base.l1Tables.find((t) => t.snapshotIndex === -1);
  for (const k of changed) {
    if (active === undefined || base.counts.countOf(k) - (removed.get(k) ?? 0) === 0) continue;
    const index = base.index();
    for (const r of index.ofCluster(k)) {
      if (index.snapshotIndexAt(r) !== -1) continue;
      const kind = index.kindAt(r);
      if (kind === SourceKind.l2Table || kind === SourceKind.dataCluster || kind === SourceKind.compressedData) addRewalk(rewalks, active, index.tableIndexAt(r));
    }
  }
}

function addRewalk(rewalks: Map<number, Rewalk>, table: WalkedL1Table, l1Index: number): void {
  const ordinal = l1EntryOrdinal(table.snapshotIndex, l1Index);
  if (!rewalks.has(ordinal)) rewalks.set(ordinal, { snapshotIndex: table.snapshotIndex, l1Index, l1OffsetBytes: table.offsetBytes });
}

/** Per cluster, the references the base's L1 entries in `rewalks` made (taken out of the counts). */
export function removedRefs(base: BaseCheck, rewalks: ReadonlyMap<number, Rewalk>): Map<number, number> {
  const out = new Map<number, number>();
  for (const ordinal of rewalks.keys()) {
    if (!base.segments.has(ordinal)) continue;
    for (const k of base.segmentWalk(ordinal).refs.clusters) out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

export function entryAt(source: ByteSource, offsetBytes: number): { hi: number; lo: number } {
  const b = readPadded(source, offsetBytes, 8);
  const v = new DataView(b.buffer, b.byteOffset, 8);
  return { hi: v.getUint32(0, false), lo: v.getUint32(4, false) };
}

/** Clusters the base references whose stored refcount differs in the state (in the written parts of refcount blocks). */
export function changedRefcounts(base: BaseCheck, touches: Touches, onDisk: OnDiskRefcounts): Set<number> {
  const out = new Set<number>();
  const cs = base.image.clusterSizeBytes;
  const bits = base.image.refcountBits;
  const perBlock = 2 ** onDisk.refblockBits;
  const before = base.onDisk.saturated;
  for (const [b, ranges] of touches.refblocks) {
    const blockOffset = base.onDisk.refblockOffsetOf(b);
    for (const [fromBytes, toBytes] of ranges) {
      const from = Math.max(fromBytes, blockOffset) - blockOffset;
      const to = Math.min(toBytes, blockOffset + cs) - blockOffset;
      if (from >= to) continue;
      const last = Math.min(perBlock - 1, Math.floor((to * 8 - 1) / bits));
      for (let e = Math.floor((from * 8) / bits); e <= last; e++) {
        const k = b * perBlock + e;
        if (k >= before.length) break;
        const x = before[k];
        const y = onDisk.saturated[k];
        if (x !== y || (x === 255 && base.onDisk.exact(k) !== onDisk.exact(k))) out.add(k);
      }
    }
  }
  return out;
}

