/**
 * The hostile-input cases, shared by the property (properties/hostile-input.test.ts: what each case
 * must give) and the benchmark (bench/hostile-input.ts: how long each takes): four small real
 * images made by qemu-img, header fields poked past named limits, sparse sources too big to count,
 * and tables that ask for more scanning or reading than any file holds.
 */
import { readFileSync } from 'node:fs';
import { bytesSource, type ByteSource } from '../spec/format/byte-source.js';
import { isFormatError } from '../spec/format/format-error.js';
import { checkImage } from '../src/check/check-image.js';
import type { CheckReport } from '../src/check/check-report.js';
import { qemuImgOk, qemuIo } from '../test/helpers/qemu.js';

/**
 * Makes the four original images in `dir` (v3 64 KiB clusters with a snapshot and a bitmap; v2
 * 4 KiB; extended L2 16 KiB with 4-bit refcounts; 512-byte clusters with 64-bit refcounts) and
 * returns their bytes in that order.
 */
export async function makeHostileOriginals(pathOf: (name: string) => string): Promise<Uint8Array[]> {
  const originals: Uint8Array[] = [];
  const make = async (name: string, opts: string, io: string[], snapshot: boolean, bitmap: boolean): Promise<void> => {
    const p = pathOf(name);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', opts, p, '8M']);
    if (bitmap) await qemuImgOk(['bitmap', '--add', p, 'b1']);
    await qemuIo(p, io);
    if (snapshot) {
      await qemuImgOk(['snapshot', '-c', 's1', p]);
      await qemuIo(p, ['write -P 9 0 8k']);
    }
    originals.push(new Uint8Array(readFileSync(p)));
  };
  await make('v3.qcow2', 'cluster_size=64k', ['write -P 1 0 200k', 'write -P 2 4M 64k'], true, true);
  await make('v2.qcow2', 'compat=0.10,cluster_size=4k', ['write -P 3 0 40k', 'write -P 4 3M 8k'], true, false);
  await make('xl2.qcow2', 'extended_l2=on,cluster_size=16k,refcount_bits=4', ['write -P 5 4k 20k', 'write -z 64k 16k'], false, false);
  await make('small.qcow2', 'cluster_size=512,refcount_bits=64', ['write -P 6 0 4k', 'write -P 7 1M 1k'], true, false);
  return originals;
}

/**
 * Runs check; returns the report, or null when a FormatError naming a rule escaped.
 * @throws anything else (the property's failure)
 */
export function checkOrFormatError(source: ByteSource): CheckReport | null {
  try {
    return checkImage(source, 'hostile.qcow2');
  } catch (err) {
    if (isFormatError(err) && /^[A-Z0-9]+(-[A-Z0-9]+)+$/.test(err.rule)) return null;
    throw err;
  }
}

/** A header field poked past a named limit in the first original, and the rule the check must name. */
export const headerLimitCases: Array<[name: string, poke: (v: DataView) => void, rule: string]> = [
  ['l1_size = 2^32 - 1', (v) => v.setUint32(36, 0xffffffff), 'QIMPL-L1-SIZE'],
  ['a 2^40-byte refcount table', (v) => v.setUint32(56, 2 ** 40 / 65536), 'QIMPL-REFTABLE-SIZE'],
  ['refcount_table_clusters = 2^32 - 1', (v) => v.setUint32(56, 0xffffffff), 'QIMPL-REFTABLE-SIZE'],
  ['nb_snapshots = 2^32 - 1', (v) => v.setUint32(60, 0xffffffff), 'QIMPL-SNAPSHOT-COUNT'],
  ['header_length = 2^32 - 8', (v) => v.setUint32(100, 0xfffffff8), 'QIMPL-HEADER-LENGTH'],
  ['virtual size 2^63', (v) => v.setBigUint64(24, 2n ** 63n), 'CRASHCOW-SIZE'],
  ['L1 table at 2^63 - 64 KiB', (v) => v.setBigUint64(40, 2n ** 63n - 65536n), 'QIMPL-IO-RANGE'],
  ['L1 table at 2^64 - 64 KiB', (v) => v.setBigUint64(40, 2n ** 64n - 65536n), 'HDR-7'],
  ['first extension 2^32 - 1 bytes long', (v) => v.setUint32(v.getUint32(100) + 4, 0xffffffff), 'EXT-1'],
];

/** The first original with one header field poked. */
export function poked(originals: readonly Uint8Array[], poke: (v: DataView) => void): Uint8Array {
  const bytes = originals[0].slice();
  poke(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return bytes;
}

/** A source of `sizeBytes` (sparse: past the small original it reads short) over the 512-byte-cluster original. */
export function sparseSource(originals: readonly Uint8Array[], sizeBytes: number): ByteSource {
  const inner = bytesSource(originals[3]);
  return { sizeBytes, read: (offsetBytes: number, lengthBytes: number) => inner.read(offsetBytes, lengthBytes) };
}

/** Sparse sizes in 512-byte clusters, and the limit each must hit. */
export const sparseCases: Array<[sizeBytes: number, rule: string]> = [
  [2 ** 38, 'CRASHCOW-CHECK-CLUSTERS'],
  [2 ** 40, 'QIMPL-FILE-CLUSTERS'],
];

/** The first original with an L1 table of 8192 entries that all map its first L2 table. */
export function repeatedL2(originals: readonly Uint8Array[]): Uint8Array {
  const bytes = originals[0].slice();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const l1 = Number(v.getBigUint64(40));
  const firstEntry = v.getBigUint64(l1);
  v.setUint32(36, 8192);
  for (let i = 0; i < 8192; i++) v.setBigUint64(l1 + 8 * i, firstEntry);
  return bytes;
}

/** The first original whose first snapshot has an L1 table of 4 M entries at 1 TiB, far past the file. */
export function farSnapshotL1(originals: readonly Uint8Array[]): Uint8Array {
  const bytes = originals[0].slice();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = Number(v.getBigUint64(64));
  v.setBigUint64(table, 2n ** 40n);
  v.setUint32(table + 8, 4 * 1024 * 1024);
  return bytes;
}
