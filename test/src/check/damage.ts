/**
 * Targeted damage to real images: locations computed through spec/format (header, L1/L2 entries,
 * refcount table and blocks), bytes written with node fs. For tests only.
 */
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { readImageMeta, type ImageMeta } from '../../../spec/format/image-meta.js';
import { getRefcount, setRefcount } from '../../../spec/format/refcount-block.js';

export function readU64(path: string, offsetBytes: number): bigint {
  const b = Buffer.alloc(8);
  const fd = openSync(path, 'r');
  readSync(fd, b, 0, 8, offsetBytes);
  closeSync(fd);
  return b.readBigUInt64BE(0);
}

export function writeBytes(path: string, offsetBytes: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offsetBytes);
  closeSync(fd);
}

export function writeU64(path: string, offsetBytes: number, value: bigint): void {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value);
  writeBytes(path, offsetBytes, b);
}

export function writeU32(path: string, offsetBytes: number, value: number): void {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  writeBytes(path, offsetBytes, b);
}

export const OFFSET_MASK = 0x00fffffffffffe00n;

/** Positions of an image's structures, computed through spec/format. */
export class Layout {
  readonly meta: ImageMeta;
  constructor(readonly path: string) {
    this.meta = readImageMeta(bytesSource(new Uint8Array(readFileSync(path))));
  }
  get clusterSizeBytes(): number {
    return this.meta.geometry.clusterSizeBytes;
  }
  l1EntryOffset(l1Index: number): number {
    return Number(this.meta.header.l1TableOffset) + 8 * l1Index;
  }
  l2Offset(l1Index: number): number {
    return Number(readU64(this.path, this.l1EntryOffset(l1Index)) & OFFSET_MASK);
  }
  /** File offset of the L2 entry of guest cluster `l2Index` under L1 entry `l1Index`. */
  l2EntryOffset(l1Index: number, l2Index: number): number {
    return this.l2Offset(l1Index) + l2Index * this.meta.geometry.l2EntrySizeBytes;
  }
  /** Host offset of guest cluster `l2Index` under L1 entry `l1Index`. */
  dataOffset(l1Index: number, l2Index: number): number {
    return Number(readU64(this.path, this.l2EntryOffset(l1Index, l2Index)) & OFFSET_MASK);
  }
  reftableEntryOffset(index: number): number {
    return Number(this.meta.header.refcountTableOffset) + 8 * index;
  }
  refblockOffset(index: number): number {
    return Number(readU64(this.path, this.reftableEntryOffset(index)) & 0xfffffffffffffe00n);
  }
  private refcountPlace(clusterIndex: number): { block: Uint8Array; offset: number; index: number } {
    const g = this.meta.geometry;
    const offset = this.refblockOffset(Math.floor(clusterIndex / g.refblockEntryCount));
    const block = new Uint8Array(g.clusterSizeBytes);
    const fd = openSync(this.path, 'r');
    readSync(fd, block, 0, block.length, offset);
    closeSync(fd);
    return { block, offset, index: clusterIndex % g.refblockEntryCount };
  }
  storedRefcount(clusterIndex: number): number {
    const p = this.refcountPlace(clusterIndex);
    return getRefcount(p.block, p.index, this.meta.geometry.refcountOrder);
  }
  setStoredRefcount(clusterIndex: number, value: number): void {
    const p = this.refcountPlace(clusterIndex);
    setRefcount(p.block, p.index, this.meta.geometry.refcountOrder, value);
    writeBytes(this.path, p.offset, p.block);
  }
  clusterOf(offsetBytes: number): number {
    return Math.floor(offsetBytes / this.clusterSizeBytes);
  }
}
