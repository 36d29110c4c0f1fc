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
const QEMU_REQUEST_END_BYTES_MAX = 2n ** 63n - 2n ** 30n;

/** True when reading `sizeBytes` at `offsetBytes` ends past QEMU_REQUEST_END_BYTES_MAX. */
export function beyondQemuRequestRange(offsetBytes: bigint, sizeBytes: bigint): boolean {
  return offsetBytes + sizeBytes > QEMU_REQUEST_END_BYTES_MAX;
}

/** QIMPL-IO-RANGE: `structure` at `offsetBytes` (of `sizeBytes`) cannot be read by QEMU. */
export function requestRangeFindings(structure: string, offsetBytes: bigint, sizeBytes: bigint, where: string, qemu: string): readonly Finding[] {
  if (sizeBytes === 0n || !beyondQemuRequestRange(offsetBytes, sizeBytes)) return NO_FINDINGS;
  return [finding('QIMPL-IO-RANGE', 'check-error', where, `${structure} at ${hexOf(offsetBytes)} (${sizeBytes} bytes) ends past 2^63 - 2^30, where QEMU reads fail with an I/O error`, qemu)];
}

/**
 * QIMPL-FILE-CLUSTERS (QEMU refuses files of more than INT_MAX clusters) and CRASHCOW-CHECK-CLUSTERS
 * (crashcow keeps two bytes per cluster of the file in memory, up to `crashcowMax` clusters).
 */
export function fileClusterCountFindings(fileClusterCount: number, crashcowMax: number): readonly Finding[] {
  if (fileClusterCount > 2 ** 31 - 1) {
    return [finding('QIMPL-FILE-CLUSTERS', 'check-error', 'image file', `the file holds ${fileClusterCount} clusters, more than QEMU's 2^31 - 1`, 'qemu-img 7.2 stops the check with "File too large".')];
  }
  if (fileClusterCount > crashcowMax) {
    return [finding('CRASHCOW-CHECK-CLUSTERS', 'check-error', 'image file', `the file holds ${fileClusterCount} clusters, more than crashcow's limit of ${crashcowMax}`, 'qemu-img 7.2 would check it; crashcow keeps its memory bounded instead.')];
  }
  return NO_FINDINGS;
}

/** CRASHCOW-SCAN-BUDGET: the tables made the check scan more than `budgetBytes` of table data. */
export function scanBudgetFindings(scannedBytes: number, budgetBytes: number): readonly Finding[] {
  if (scannedBytes <= budgetBytes) return NO_FINDINGS;
  return [finding('CRASHCOW-SCAN-BUDGET', 'check-error', 'tables', `the tables scan more than ${budgetBytes} bytes (16 x the file size + 256 MiB): they map the same L2 tables over and over`, 'qemu-img 7.2 would keep scanning; crashcow stops and reports the check as incomplete.')];
}
