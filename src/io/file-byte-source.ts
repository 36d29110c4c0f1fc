/**
 * FileByteSource: a read-only ByteSource over a file, with synchronous positioned reads. It can
 * also read into a caller's buffer (`readInto`), so the walk's big sequential reads reuse one
 * buffer instead of allocating 100+ MiB of short-lived arrays on a large image. Opening is the only
 * place it can fail for a user mistake (ENOENT, EACCES, EISDIR); those errors keep their `code` so
 * the CLI prints them as one line.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ReadIntoSource } from '../../spec/walk/scratch-reader.js';

export class FileByteSource implements ReadIntoSource {
  private readonly fd: number;
  readonly sizeBytes: number;

  /** Opens `path` read-only; throws the OS error (with its code) when it cannot. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    const stat = fstatSync(this.fd);
    if (stat.isDirectory()) {
      closeSync(this.fd);
      throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
    }
    this.sizeBytes = stat.size;
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    if (offsetBytes >= this.sizeBytes || lengthBytes <= 0) return new Uint8Array(0);
    const out = new Uint8Array(Math.min(lengthBytes, this.sizeBytes - offsetBytes));
    const n = this.readInto(out, offsetBytes);
    return n === out.length ? out : out.subarray(0, n);
  }

  /** Fills `target` from `offsetBytes` as far as the file goes; returns the bytes read. */
  readInto(target: Uint8Array, offsetBytes: number): number {
    if (offsetBytes >= this.sizeBytes) return 0;
    const n = Math.min(target.length, this.sizeBytes - offsetBytes);
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, target, done, n - done, offsetBytes + done);
      if (got === 0) break;
      done += got;
    }
    return done;
  }

  close(): void {
    closeSync(this.fd);
  }
}
