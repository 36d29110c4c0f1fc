import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { assertRange, type BlockDevice, type WriteOptions } from './block-device.js';

/** Largest zero buffer a FileDevice writes at once, in bytes. */
const ZERO_CHUNK_BYTES = 1024 * 1024;

/**
 * FileDevice: a block device over a regular file with synchronous positioned I/O.
 *
 * Flush and FUA writes call fdatasync. Discard writes zeros over the part below the size (Node has
 * no hole punching). Opening keeps the OS error's `code` (ENOENT, EACCES, EISDIR) so the CLI can
 * print it as one line; writing to a device opened read-only throws an Error (a caller bug).
 */
export class FileDevice implements BlockDevice {
  private readonly fd: number;
  private size: number;
  private closed = false;

  /**
   * Opens `path` (which must exist) read-write, or read-only with `opts.readonly`.
   * @throws the OS error from open (code ENOENT, EACCES ...), or EISDIR for a directory
   */
  constructor(
    readonly path: string,
    readonly opts: { readonly?: boolean } = {},
  ) {
    this.fd = openSync(path, opts.readonly ? 'r' : 'r+');
    const stat = fstatSync(this.fd);
    if (!stat.isFile()) {
      closeSync(this.fd);
      throw Object.assign(new Error(`${path} is not a regular file`), { code: stat.isDirectory() ? 'EISDIR' : 'EINVAL' });
    }
    this.size = stat.size;
  }

  get sizeBytes(): number {
    return this.size;
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    assertRange(offsetBytes, lengthBytes);
    const out = new Uint8Array(lengthBytes);
    const inside = Math.max(0, Math.min(lengthBytes, this.size - offsetBytes));
    let done = 0;
    while (done < inside) {
      const got = readSync(this.fd, out, done, inside - done, offsetBytes + done);
      if (got === 0) break;
      done += got;
    }
    return out;
  }

  write(offsetBytes: number, data: Uint8Array, opts?: WriteOptions): void {
    assertRange(offsetBytes, data.length);
    this.writable();
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, offsetBytes + done);
    this.size = Math.max(this.size, offsetBytes + data.length);
    if (opts?.fua) fdatasyncSync(this.fd);
  }

  writeZeroes(offsetBytes: number, lengthBytes: number): void {
    assertRange(offsetBytes, lengthBytes);
    this.writable();
    const zeros = new Uint8Array(Math.min(lengthBytes, ZERO_CHUNK_BYTES));
    for (let done = 0; done < lengthBytes; done += zeros.length) {
      const n = Math.min(zeros.length, lengthBytes - done);
      this.write(offsetBytes + done, n === zeros.length ? zeros : zeros.subarray(0, n));
    }
  }

  discard(offsetBytes: number, lengthBytes: number): void {
    assertRange(offsetBytes, lengthBytes);
    const endBytes = Math.min(this.size, offsetBytes + lengthBytes);
    if (endBytes > offsetBytes) this.writeZeroes(offsetBytes, endBytes - offsetBytes);
  }

  flush(): void {
    this.writable();
    fdatasyncSync(this.fd);
  }

  truncate(sizeBytes: number): void {
    assertRange(0, sizeBytes);
    this.writable();
    ftruncateSync(this.fd, sizeBytes);
    this.size = sizeBytes;
  }

  /** Closes the file; the device must not be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private writable(): void {
    if (this.opts.readonly) throw new Error(`FileDevice ${this.path} was opened read-only`);
    if (this.closed) throw new Error(`FileDevice ${this.path} is closed`);
  }
}
