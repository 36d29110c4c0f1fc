/**
 * VerdictTable: the verdicts a VerdictMemo has reached, per guest sector a few (content key, value
 * found, stamp) slots in typed arrays. A content key names the bytes a guest sector read (see
 * stateVerdictMemo); a sector sees only a few distinct ones across the states of a crash plan, so
 * a small set per sector, the oldest slot replaced first, holds nearly all of them, without the
 * cost of hashing a key that does not fit a small integer.
 */
import type { SectorValue } from '../content/sector-value.js';

/** Slots per guest sector. */
const WAYS = 4;
const EMPTY = -1;

export class VerdictTable {
  private keys = new Float64Array(0).fill(EMPTY);
  private stamps = new Float64Array(0);
  private values = new Int32Array(0);
  /** Per guest sector, the slot the next new key replaces. */
  private next = new Uint8Array(0);
  private readonly names: SectorValue[] = [];
  private readonly nameIndex = new Map<SectorValue, number>();
  /** Slots in use. */
  size = 0;

  /** The slot holding `key` for guest sector `g`, or -1. */
  find(g: number, key: number): number {
    if (g >= this.next.length) return -1;
    const base = g * WAYS;
    for (let w = 0; w < WAYS; w++) if (this.keys[base + w] === key) return base + w;
    return -1;
  }

  value(slot: number): SectorValue {
    return this.names[this.values[slot]];
  }

  stamp(slot: number): number {
    return this.stamps[slot];
  }

  restamp(slot: number, stamp: number): void {
    this.stamps[slot] = stamp;
  }

  /** Records that guest sector `g` reading the bytes `key` names matched `value`, at `stamp`. */
  remember(g: number, key: number, value: SectorValue, stamp: number): void {
    let slot = this.find(g, key);
    if (slot < 0) {
      this.reserve(g);
      slot = g * WAYS + this.next[g];
      this.next[g] = (this.next[g] + 1) % WAYS;
      if (this.keys[slot] === EMPTY) this.size++;
      this.keys[slot] = key;
    }
    this.values[slot] = this.nameOf(value);
    this.stamps[slot] = stamp;
  }

  /** Every key held (tests). */
  heldKeys(): number[] {
    return [...this.keys].filter((k) => k !== EMPTY);
  }

  private nameOf(value: SectorValue): number {
    let i = this.nameIndex.get(value);
    if (i === undefined) {
      i = this.names.push(value) - 1;
      this.nameIndex.set(value, i);
    }
    return i;
  }

  private reserve(g: number): void {
    if (g < this.next.length) return;
    const sectors = Math.max(g + 1, this.next.length * 2, 64);
    const keys = new Float64Array(sectors * WAYS).fill(EMPTY);
    keys.set(this.keys);
    const stamps = new Float64Array(sectors * WAYS);
    stamps.set(this.stamps);
    const values = new Int32Array(sectors * WAYS);
    values.set(this.values);
    const next = new Uint8Array(sectors);
    next.set(this.next);
    this.keys = keys;
    this.stamps = stamps;
    this.values = values;
    this.next = next;
  }
}
