/**
 * ByteSource: random-access, synchronous, read-only view of an image file.
 *
 * The spec reads images only through this interface, so it stays pure: a file, an in-memory
 * device or a crash state overlay can all stand behind it. Reads past the end return the bytes
 * that exist (a shorter array); they never throw for that reason.
 */
export interface ByteSource {
  /** Current length of the underlying file in bytes. */
  readonly sizeBytes: number;
  /** Reads up to `lengthBytes` bytes at `offsetBytes`; shorter only at end of file. */
  read(offsetBytes: number, lengthBytes: number): Uint8Array;
}

/** A ByteSource over bytes already in memory (tests, small images). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    sizeBytes: bytes.length,
    read(offsetBytes: number, lengthBytes: number): Uint8Array {
      if (offsetBytes >= bytes.length || lengthBytes <= 0) return new Uint8Array(0);
      return bytes.subarray(offsetBytes, Math.min(bytes.length, offsetBytes + lengthBytes));
    },
  };
}

/** Reads exactly `lengthBytes`, padding with zeros past end of file (a sparse tail reads as zeros). */
export function readPadded(source: ByteSource, offsetBytes: number, lengthBytes: number): Uint8Array {
  const got = source.read(offsetBytes, lengthBytes);
  if (got.length === lengthBytes) return got;
  const out = new Uint8Array(lengthBytes);
  out.set(got);
  return out;
}
