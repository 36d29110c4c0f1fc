/**
 * ScratchReader: reads table data into one reused buffer when the source can read into a
 * caller's buffer (src/io's FileByteSource), else through ByteSource.read. What lies past the end
 * of the file reads as zeros. A returned view is valid only until the reader's next read.
 */
import { readPadded, type ByteSource } from '../format/byte-source.js';

/** A ByteSource that can fill a caller's buffer; returns the bytes read (fewer at end of file). */
export interface ReadIntoSource extends ByteSource {
  readInto(target: Uint8Array, offsetBytes: number): number;
}

function canReadInto(s: ByteSource): s is ReadIntoSource {
  return typeof (s as Partial<ReadIntoSource>).readInto === 'function';
}

export class ScratchReader {
  private buffer: Uint8Array = new Uint8Array(0);

  constructor(private readonly source: ByteSource) {}

  /** Exactly `lengthBytes` from `offsetBytes`, zero-padded past the end of the file. */
  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    if (!canReadInto(this.source)) return readPadded(this.source, offsetBytes, lengthBytes);
    if (this.buffer.length < lengthBytes) this.buffer = new Uint8Array(lengthBytes);
    const view = this.buffer.subarray(0, lengthBytes);
    const n = offsetBytes < this.source.sizeBytes ? this.source.readInto(view, offsetBytes) : 0;
    if (n < lengthBytes) view.fill(0, n);
    return view;
  }
}
