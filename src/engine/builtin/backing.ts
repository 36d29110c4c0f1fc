/**
 * Backing files: a read-only GuestReader over a raw device or a qcow2 image (opened read-only with its
 * own backing chain). The format comes from the backing-format extension, else from the magic.
 * Chains deeper than BACKING_DEPTH_MAX are refused (a loop would never end).
 */
import { FormatError } from '../../../spec/format/format-error.js';
import { QCOW2_MAGIC } from '../../../spec/format/header.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { readGuest } from './guest-read.js';
import { openState } from './open-image.js';
import type { GuestReader } from './state.js';

/** CRASHCOW limit: backing chains longer than this are refused. */
const BACKING_DEPTH_MAX = 32;

/** Resolves a backing file name (as stored in the header) to a device. */
export type BackingResolver = (name: string) => BlockDevice;

/** A raw device as guest bytes. */
function rawReader(device: BlockDevice): GuestReader {
  return {
    virtualSizeBytes: device.sizeBytes,
    readInto(offsetBytes, out) {
      out.set(device.read(offsetBytes, out.length));
    },
  };
}

/**
 * The backing chain of the image on `device`, or undefined without a backing file.
 * @throws FormatError CRASHCOW-BACKING-DEPTH for chains past BACKING_DEPTH_MAX, or from the images
 */
export function openBackingChain(device: BlockDevice, resolve: BackingResolver | undefined, depth = 0): GuestReader | undefined {
  const meta = readImageMeta(toByteSource(device));
  if (meta.backingFileName === undefined) return undefined;
  if (depth >= BACKING_DEPTH_MAX) throw new FormatError('CRASHCOW-BACKING-DEPTH', 'header.backing_file_offset @8', `backing chain deeper than ${BACKING_DEPTH_MAX}`);
  if (!resolve) throw new FormatError('HDR-5', 'header.backing_file_offset @8', `backing file "${meta.backingFileName}" given but no way to open it`);
  const backingDevice = resolve(meta.backingFileName);
  const format = meta.extensions.backingFormat ?? probeFormat(backingDevice);
  if (format === 'raw') return rawReader(backingDevice);
  if (format !== 'qcow2') throw new FormatError('EXT-2', 'backing format extension', `unsupported backing format "${format}"`);
  const state = openState(backingDevice, { readOnly: true, backing: openBackingChain(backingDevice, resolve, depth + 1) });
  return {
    virtualSizeBytes: state.g.virtualSizeBytes,
    readInto(offsetBytes, out) {
      const inside = Math.max(0, Math.min(out.length, state.g.virtualSizeBytes - offsetBytes));
      if (inside > 0) readGuest(state, offsetBytes, out.subarray(0, inside));
      out.fill(0, inside);
    },
  };
}

function probeFormat(device: BlockDevice): string {
  const head = device.read(0, 4);
  return new DataView(head.buffer, head.byteOffset, 4).getUint32(0) === QCOW2_MAGIC ? 'qcow2' : 'raw';
}
