/**
 * Implementation limits that are not tied to one structure (family "limits").
 *
 * QIMPL-IO-RANGE: QEMU's block layer refuses any request ending past 2^63 - 2^30 bytes
 * (BDRV_MAX_LENGTH, INT64_MAX rounded down to its 1 GiB maximum alignment) with an I/O error. A
 * table QEMU must read there makes it fail: to open the image (active L1 table, bitmap directory)
 * or to complete the check (snapshot table, snapshot L1 tables, refcount blocks).
 */
import { finding, hexOf, NO_FINDINGS, type Finding } from './finding.js';

/** The largest end offset, in bytes, of a request QEMU's block layer accepts. */
export const QEMU_REQUEST_END_BYTES_MAX = 2n ** 63n - 2n ** 30n;

/** True when reading `sizeBytes` at `offsetBytes` ends past QEMU_REQUEST_END_BYTES_MAX. */
export function beyondQemuRequestRange(offsetBytes: bigint, sizeBytes: bigint): boolean {
  return offsetBytes + sizeBytes > QEMU_REQUEST_END_BYTES_MAX;
}

/** QIMPL-IO-RANGE: `structure` at `offsetBytes` (of `sizeBytes`) cannot be read by QEMU. */
export function requestRangeFindings(structure: string, offsetBytes: bigint, sizeBytes: bigint, where: string, qemu: string): readonly Finding[] {
  if (sizeBytes === 0n || !beyondQemuRequestRange(offsetBytes, sizeBytes)) return NO_FINDINGS;
  return [finding('QIMPL-IO-RANGE', 'check-error', where, `${structure} at ${hexOf(offsetBytes)} (${sizeBytes} bytes) ends past 2^63 - 2^30, where QEMU reads fail with an I/O error`, qemu)];
}
