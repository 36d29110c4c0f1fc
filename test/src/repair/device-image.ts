/**
 * Test helpers over a BlockDevice holding a qcow2 image: its guest bytes through spec/semantics'
 * guest view (no backing file), and crashcow check's verdict.
 */
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { GuestView } from '../../../spec/semantics/guest-view.js';
import { Qcow2Layer } from '../../../spec/semantics/qcow2-layer.js';
import { checkImage } from '../../../src/check/check-image.js';
import { exitCodeOf, type CheckReport } from '../../../src/check/check-report.js';
import type { BlockDevice } from '../../../src/storage/block-device.js';
import { toByteSource } from '../../../src/storage/to-byte-source.js';

/** The whole guest view of the image on `device`. Throws FormatError when it cannot be read. */
export function guestBytes(device: BlockDevice): Uint8Array {
  const source = toByteSource(device);
  const meta = readImageMeta(source);
  const layer = new Qcow2Layer({ name: 'image', meta, file: { name: 'image', source, holeGranularityBytes: 4096 } });
  return new GuestView(layer).read(0, layer.virtualSizeBytes);
}

/** crashcow check on the device, with its exit code. */
export function checkDevice(device: BlockDevice): { report: CheckReport; exitCode: number } {
  const report = checkImage(toByteSource(device), 'image');
  return { report, exitCode: exitCodeOf(report) };
}

/** Index of the first byte where two arrays differ, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}
