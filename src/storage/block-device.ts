/**
 * BlockDevice: the only view of storage an engine gets, synchronous so fuzzing stays in process.
 *
 * Offsets and lengths are in bytes and need no alignment. A device has a size (the file's length);
 * writes past the end extend it (the gap reads as zeros), reads past the end return zeros, so a
 * read always returns exactly the bytes asked for. Use `toByteSource` for the spec's ByteSource,
 * which instead returns a shorter array at end of file.
 */
export interface BlockDevice {
  /** Current size in bytes (the file's length). */
  readonly sizeBytes: number;
  /**
   * Reads `lengthBytes` bytes at `offsetBytes` into a fresh array the caller may keep and modify.
   * Bytes at or past `sizeBytes` read as zeros.
   */
  read(offsetBytes: number, lengthBytes: number): Uint8Array;
  /**
   * Optional fast path of `read`: fills all of `target` with the bytes at `offsetBytes` (zeros at or
   * past the end) without allocating. Layered devices use it when the device below has it.
   */
  readInto?(offsetBytes: number, target: Uint8Array): void;
  /** Writes `data` at `offsetBytes`, extending the device when it ends past `sizeBytes`. */
  write(offsetBytes: number, data: Uint8Array, opts?: WriteOptions): void;
  /** Writes `lengthBytes` zeros at `offsetBytes`, extending the device like `write`. */
  writeZeroes(offsetBytes: number, lengthBytes: number): void;
  /**
   * Discards a range: afterwards it reads as zeros (the devices here punch holes). Only the part
   * below `sizeBytes` is affected; a discard never changes the size.
   */
  discard(offsetBytes: number, lengthBytes: number): void;
  /** Makes every completed operation durable (ends a flush epoch). */
  flush(): void;
  /** Sets the size in bytes, extending with zeros or cutting off the tail. */
  truncate(sizeBytes: number): void;
}

/** Options of one write. */
export interface WriteOptions {
  /** Forced unit access: the write is durable once it completes, without waiting for a flush. */
  fua?: boolean;
}

/** Reads through `readInto` when the device has it, else through `read` and a copy. */
export function readIntoFrom(dev: BlockDevice, offsetBytes: number, target: Uint8Array): void {
  if (dev.readInto) dev.readInto(offsetBytes, target);
  else target.set(dev.read(offsetBytes, target.length));
}

/**
 * Checks an (offset, length) pair from a caller; throws RangeError for negative, fractional or
 * unsafe values (a bug in the caller, never a format problem).
 */
export function assertRange(offsetBytes: number, lengthBytes: number): void {
  if (!Number.isSafeInteger(offsetBytes) || offsetBytes < 0) throw new RangeError(`bad offset ${offsetBytes}`);
  if (!Number.isSafeInteger(lengthBytes) || lengthBytes < 0) throw new RangeError(`bad length ${lengthBytes}`);
  if (!Number.isSafeInteger(offsetBytes + lengthBytes)) throw new RangeError(`range ends past 2^53: ${offsetBytes}+${lengthBytes}`);
}
