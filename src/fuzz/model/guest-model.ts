/**
 * GuestModel: what the guest disk holds (and each snapshot), per 512-byte sector, as a set of
 * candidate values (sector-value.ts). After a write a sector has one candidate; a discard adds
 * zeros and the backing data to what it had, since a discard may or may not take effect. The
 * lockstep runner resolves a set to the value it observes (`resolve`), so sets stay small.
 *
 * Sectors missing from the map hold their base value: the backing file's content (write id 0)
 * where the backing file reaches, zeros elsewhere.
 */
import { BACKING_WRITE_ID, SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import { patchValue, wholeValue, ZERO_SOURCE, ZERO_VALUE, type SectorValue } from '../content/sector-value.js';
import { clusterCountToSize, offsetToClusterStart, sizeToClusterCount, type Geometry } from '../../../spec/format/geometry.js';
import { clusterGeometryOf } from './cluster-geometry.js';
import type { FuzzOp } from './fuzz-op.js';

/** Candidate values per sector; absent sectors hold their base value. */
export type SectorMap = Map<number, readonly SectorValue[]>;

/** A snapshot as the model keeps it. */
export interface SnapshotModel {
  values: SectorMap;
  virtualSizeBytes: number;
}

/** What one op changed: the sectors with their candidates afterwards, and the size afterwards. */
export interface OpEffect {
  sectors: SectorMap;
  virtualSizeBytes: number;
}

interface GuestModelOptions {
  virtualSizeBytes: number;
  clusterSizeBytes: number;
  /** Guest bytes the backing file covers (0 without one); a multiple of 512. */
  backingSizeBytes: number;
}

export class GuestModel {
  values: SectorMap = new Map();
  virtualSizeBytes: number;
  readonly snapshots = new Map<string, SnapshotModel>();
  private readonly geometry: Geometry;

  constructor(readonly options: GuestModelOptions) {
    this.virtualSizeBytes = options.virtualSizeBytes;
    this.geometry = clusterGeometryOf(options.clusterSizeBytes);
  }

  /** The base value of a sector: backing data where the backing file reaches, else zeros. */
  baseValue(sectorIndex: number): SectorValue {
    return sectorIndex * SECTOR_SIZE_BYTES < this.options.backingSizeBytes ? BASE_BACKING : ZERO_VALUE;
  }

  /** The candidates of a sector now. */
  candidates(sectorIndex: number): readonly SectorValue[] {
    return this.values.get(sectorIndex) ?? [this.baseValue(sectorIndex)];
  }

  /** Applies an op to the model and returns what it changed. Crash and flush change nothing. */
  apply(op: FuzzOp): OpEffect {
    const sectors: SectorMap = new Map();
    switch (op.kind) {
      case 'write':
        this.patchRange(op.offsetBytes, op.lengthBytes, op.writeId, sectors);
        break;
      case 'write-zeroes':
        this.patchRange(op.offsetBytes, op.lengthBytes, ZERO_SOURCE, sectors);
        break;
      case 'discard':
        this.discard(op.offsetBytes, op.lengthBytes, sectors);
        break;
      case 'snapshot-create':
        this.snapshots.set(op.name, { values: new Map(this.values), virtualSizeBytes: this.virtualSizeBytes });
        break;
      case 'snapshot-apply':
        this.applySnapshot(op.name, sectors);
        break;
      case 'snapshot-delete':
        this.snapshots.delete(op.name);
        break;
      case 'resize':
        this.resize(op.sizeBytes, sectors);
        break;
      default:
        break;
    }
    return { sectors, virtualSizeBytes: this.virtualSizeBytes };
  }

  /** Fixes a sector to the value it was observed to hold (one of its candidates). */
  resolve(sectorIndex: number, value: SectorValue): void {
    if (value === this.baseValue(sectorIndex)) this.values.delete(sectorIndex);
    else this.values.set(sectorIndex, [value]);
  }

  private set(sectorIndex: number, candidates: readonly SectorValue[], effect: SectorMap): void {
    const unique = [...new Set(candidates)];
    if (unique.length === 1 && unique[0] === this.baseValue(sectorIndex)) this.values.delete(sectorIndex);
    else this.values.set(sectorIndex, unique);
    effect.set(sectorIndex, unique);
  }

  private patchRange(offsetBytes: number, lengthBytes: number, source: number, effect: SectorMap): void {
    const endBytes = offsetBytes + lengthBytes;
    for (let s = Math.floor(offsetBytes / SECTOR_SIZE_BYTES); s * SECTOR_SIZE_BYTES < endBytes; s++) {
      const start = s * SECTOR_SIZE_BYTES;
      const from = Math.max(offsetBytes, start) - start;
      const to = Math.min(endBytes, start + SECTOR_SIZE_BYTES) - start;
      this.set(s, this.candidates(s).map((v) => patchValue(v, from, to, source)), effect);
    }
  }

  /**
   * Whole clusters inside the range may read as before, as zeros or as the backing data; so may
   * the partial last cluster of a disk whose size is not a multiple of the cluster size, when the
   * range reaches the end (QEMU's qcow2_co_pdiscard takes that one too, and so does the engine).
   */
  private discard(offsetBytes: number, lengthBytes: number, effect: SectorMap): void {
    const g = this.geometry;
    const from = clusterCountToSize(g, sizeToClusterCount(g, offsetBytes));
    const end = offsetBytes + lengthBytes;
    const to = end >= this.virtualSizeBytes ? this.virtualSizeBytes : offsetToClusterStart(g, end);
    for (let s = from / SECTOR_SIZE_BYTES; s * SECTOR_SIZE_BYTES < to; s++) {
      this.set(s, [...this.candidates(s), ZERO_VALUE, this.baseValue(s)], effect);
    }
  }

  private applySnapshot(name: string, effect: SectorMap): void {
    const snap = this.snapshots.get(name);
    if (!snap) throw new Error(`model: no snapshot ${name}`);
    const keys = new Set([...this.values.keys(), ...snap.values.keys()]);
    this.values = new Map(snap.values);
    this.virtualSizeBytes = snap.virtualSizeBytes;
    for (const s of keys) effect.set(s, this.candidates(s));
  }

  /**
   * A shrink drops the tail; a grow exposes zeros, never backing data (the engine zeroes the new
   * area where the backing file reaches into it).
   */
  private resize(sizeBytes: number, effect: SectorMap): void {
    const firstGone = Math.ceil(sizeBytes / SECTOR_SIZE_BYTES);
    for (const s of [...this.values.keys()]) {
      if (s < firstGone) continue;
      this.values.delete(s);
      effect.set(s, [this.baseValue(s)]);
    }
    const oldEnd = Math.ceil(this.virtualSizeBytes / SECTOR_SIZE_BYTES);
    for (let s = oldEnd; s < firstGone && s * SECTOR_SIZE_BYTES < this.options.backingSizeBytes; s++) {
      this.values.set(s, [ZERO_VALUE]);
      effect.set(s, [ZERO_VALUE]);
    }
    this.virtualSizeBytes = sizeBytes;
  }
}

/** The base value inside the backing file's reach. */
const BASE_BACKING: SectorValue = wholeValue(BACKING_WRITE_ID);
