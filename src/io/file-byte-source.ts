/**
 * FileByteSource: a read-only ByteSource over a file, with synchronous positioned reads.
 * Opening is the only place it can fail for a user mistake (ENOENT, EACCES, EISDIR); those
 * errors keep their `code` so the CLI prints them as one line.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../../spec/format/byte-source.js';

export class FileByteSource implements ByteSource {
  private readonly fd: number;
  readonly sizeBytes: number;

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
    const n = Math.min(lengthBytes, this.sizeBytes - offsetBytes);
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, out, done, n - done, offsetBytes + done);
      if (got === 0) break;
      done += got;
    }
    return done === n ? out : out.subarray(0, done);
  }

  close(): void {
    closeSync(this.fd);
  }
}
