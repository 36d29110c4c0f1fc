/**
 * A dirty lazy-refcounts image whose refcount table entry 0 reads 0x6300000000000000: the shape a
 * crash inside QEMU's repair on open leaves when the header reaches the disk and the rebuilt table
 * does not (the table's cluster still holds stale bytes). Made at test time with qemu-img and
 * qemu-io (a write, then `sigraise 9`, so the dirty bit stays set), then one byte is poked.
 * Opened read-write under crashcow's file size limit, QEMU's repair tries to grow the file to cover
 * that refcount block, fails with "Could not resize file: File too large", rebuilds the refcounts
 * anyway and opens the image (7.2.22 and 10.0.2).
 */
import { openSync, closeSync, readSync, writeSync } from 'node:fs';
import type { QemuTools } from './qemu.js';

/** The guest bytes the image holds: 512 bytes of 0x5a at guest offset 0. */
export const STALE_REFTABLE_PATTERN = 0x5a;

/** The bad refcount table entry 0 (its top byte, 0x63, is what is poked). */
export const STALE_REFTABLE_ENTRY = 0x6300000000000000n;

/** Makes the image at `path` with `q`. @throws when qemu-img or qemu-io does not do its part */
export async function makeStaleReftableImage(q: QemuTools, path: string): Promise<void> {
  await q.imgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096,lazy_refcounts=on', path, '1M']);
  // qemu-io kills itself after the write: the image keeps its dirty bit and stale refcounts.
  const r = await q.run('qemu-io', ['-f', 'qcow2', '-c', `write -P ${STALE_REFTABLE_PATTERN} 0 512`, '-c', 'sigraise 9', path]);
  if (r.exitCode !== -1) throw new Error(`qemu-io was not killed (exit ${r.exitCode}): ${r.stdout}${r.stderr}`);
  const fd = openSync(path, 'r+');
  try {
    const header = Buffer.alloc(80);
    readSync(fd, header, 0, 80, 0);
    if ((header.readBigUInt64BE(72) & 1n) !== 1n) throw new Error('the image is not dirty after qemu-io was killed');
    const reftableOffsetBytes = Number(header.readBigUInt64BE(48));
    writeSync(fd, Buffer.from([Number(STALE_REFTABLE_ENTRY >> 56n)]), 0, 1, reftableOffsetBytes);
  } finally {
    closeSync(fd);
  }
}
