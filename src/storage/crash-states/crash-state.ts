import type { ByteSource } from '../../../spec/format/byte-source.js';
import type { BlockDevice } from '../block-device.js';
import { CowDevice } from '../cow-device.js';
import { toByteSource } from '../to-byte-source.js';
import type { CrashPointModel, PendingOp, VersionCodes } from './crash-point-model.js';
import { CrashStateView } from './crash-state-view.js';
import { encodeStateId } from './state-id.js';

/** How much of one operation since the last flush a state shows. */
interface OpOutcome {
  opIndex: number;
  /** Sectors it changed that show its content (or a later one) in the state. */
  sectorsLanded: number;
  /** Sectors whose bytes it changed. */
  sectorCount: number;
}

/** Which operations since the last flush a state shows whole, in part or not at all. */
export interface CrashStateSummary {
  survivingOps: number[];
  tornOps: OpOutcome[];
  droppedOps: number[];
}

/**
 * CrashState: one state a crash may leave, materialized lazily. Holds only its choice (a code per
 * touched sector and a size code); `view()` reads it without copying, `device()` gives a
 * writable copy-on-write overlay an engine can recover on, `source()` the spec's ByteSource.
 */
export class CrashState {
  private cachedView: CrashStateView | undefined;
  private cachedId: string | undefined;

  /** @param codes canonical version codes (see canonicalizeCodes); never changed afterwards */
  constructor(
    readonly model: CrashPointModel,
    readonly sizeCode: number,
    readonly codes: VersionCodes,
    /** How it was found: "exhaustive", "rebuilt", or the sampling strategy's name. */
    readonly origin = 'exhaustive',
  ) {}

  /** Compact id (built on first use); CrashPlan.rebuild(id) gives this state back. */
  get id(): string {
    this.cachedId ??= encodeStateId(this.model.crashPoint, this.model.sectorSizeBytes, this.sizeCode, this.codes);
    return this.cachedId;
  }

  get crashPoint(): number {
    return this.model.crashPoint;
  }

  get sizeBytes(): number {
    return this.model.sizesBytes[this.sizeCode];
  }

  /** A read-only device over the state (shared, no copy). */
  view(): BlockDevice {
    this.cachedView ??= new CrashStateView(this.model, this.codes, this.sizeBytes);
    return this.cachedView;
  }

  /** A fresh writable device with the state's content; writes never reach the state or the log. */
  device(): BlockDevice {
    return new CowDevice(this.view());
  }

  /** The state as the spec's ByteSource (short reads at end of file). */
  source(): ByteSource {
    return toByteSource(this.view());
  }

  /**
   * Classifies each write, zeroing or discard since the last flush by the sectors whose bytes it
   * changed: surviving when all of them show its content or a later one, dropped when none does,
   * torn in between. A sector past the state's size counts as lost. An operation that changed no
   * byte counts as surviving. Truncates are not listed (see the size).
   */
  summarize(): CrashStateSummary {
    const out: CrashStateSummary = { survivingOps: [], tornOps: [], droppedOps: [] };
    for (const p of this.model.pending) {
      if (p.op.kind === 'truncate' || p.op.kind === 'flush') continue;
      const { landed, count } = this.sectorsLanded(p);
      if (landed === count) out.survivingOps.push(p.opIndex);
      else if (landed === 0) out.droppedOps.push(p.opIndex);
      else out.tornOps.push({ opIndex: p.opIndex, sectorsLanded: landed, sectorCount: count });
    }
    return out;
  }

  private sectorsLanded(p: PendingOp): { landed: number; count: number } {
    const s = this.model.sectorSizeBytes;
    let landed = 0;
    let count = 0;
    for (let t = p.lo; t < p.hi; t++) {
      if (!p.changed[t - p.lo]) continue;
      count++;
      if (this.model.touched.sectors[t] * s >= this.sizeBytes) continue;
      const own = p.codes[t - p.lo];
      if (own < 0 || this.codes[t] <= own) landed++;
    }
    return { landed, count };
  }
}
