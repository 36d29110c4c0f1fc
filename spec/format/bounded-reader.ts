import { FormatError } from './format-error.js';

/**
 * BoundedReader: the one way untrusted bytes are decoded.
 *
 * Every read is checked against the buffer's bounds; a read past the end throws FormatError
 * naming `rule` and the absolute file offset. Big-endian (GEN-1), except the explicitly
 * little-endian `u32le`/`u64le` used for other formats (dm-log-writes logs).
 */
export class BoundedReader {
  private readonly view: DataView;

  /**
   * @param bytes the buffer to read
   * @param baseOffsetBytes absolute file offset of bytes[0], used in error locations
   * @param rule clause id reported when a read runs past the buffer
   * @param what name of the structure, used in error locations
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly baseOffsetBytes: number,
    readonly rule: string,
    readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get lengthBytes(): number {
    return this.bytes.byteLength;
  }

  private need(offsetBytes: number, lengthBytes: number): void {
    if (offsetBytes < 0 || offsetBytes + lengthBytes > this.bytes.byteLength) {
      throw new FormatError(
        this.rule,
        `${this.what} @${hex(this.baseOffsetBytes + offsetBytes)}`,
        `truncated: needs ${lengthBytes} bytes at +${offsetBytes}, only ${this.bytes.byteLength} available`,
      );
    }
  }

  u8(offsetBytes: number): number {
    this.need(offsetBytes, 1);
    return this.view.getUint8(offsetBytes);
  }

  u16(offsetBytes: number): number {
    this.need(offsetBytes, 2);
    return this.view.getUint16(offsetBytes, false);
  }

  u32(offsetBytes: number): number {
    this.need(offsetBytes, 4);
    return this.view.getUint32(offsetBytes, false);
  }

  /** A full 64-bit field, exact. */
  u64(offsetBytes: number): bigint {
    this.need(offsetBytes, 8);
    return this.view.getBigUint64(offsetBytes, false);
  }

  /** Little-endian 32-bit field (for formats other than qcow2, e.g. dm-log-writes logs). */
  u32le(offsetBytes: number): number {
    this.need(offsetBytes, 4);
    return this.view.getUint32(offsetBytes, true);
  }

  /** Little-endian 64-bit field, exact (for formats other than qcow2, e.g. dm-log-writes logs). */
  u64le(offsetBytes: number): bigint {
    this.need(offsetBytes, 8);
    return this.view.getBigUint64(offsetBytes, true);
  }

  /** A sub-array view (no copy), bounds-checked. */
  slice(offsetBytes: number, lengthBytes: number): Uint8Array {
    this.need(offsetBytes, lengthBytes);
    return this.bytes.subarray(offsetBytes, offsetBytes + lengthBytes);
  }

  /** Latin-1/UTF-8 text of a field (names are not NUL-terminated, EXT-4). */
  text(offsetBytes: number, lengthBytes: number): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.slice(offsetBytes, lengthBytes));
  }
}

/** "0x1f000" for error locations and reports. */
export function hex(value: number | bigint): string {
  return '0x' + value.toString(16);
}
