/**
 * Test helper: image chains held in memory. Files made by qemu-img are read into byte arrays and
 * opened as layers through bytesSource, so the spec is exercised without src/ (and bytes can be
 * patched before opening).
 */
import { readFileSync } from 'node:fs';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import type { GuestLayer, HostFile } from '../../../spec/semantics/layer.js';
import { Qcow2Layer } from '../../../spec/semantics/qcow2-layer.js';
import { RawLayer } from '../../../spec/semantics/raw-layer.js';

export interface MemoryImage {
  bytes: Uint8Array;
  format: 'qcow2' | 'raw';
  /** External data file contents, when the image has one. */
  dataFile?: Uint8Array;
}

export function hostFile(name: string, bytes: Uint8Array): HostFile {
  return { name, source: bytesSource(bytes), holeGranularityBytes: 4096 };
}

/** Opens `images[0]` with `images[1..]` as its backing chain, top first. */
export function memoryChain(images: MemoryImage[], index = 0): GuestLayer {
  const image = images[index];
  if (image.format === 'raw') return new RawLayer(hostFile(`layer${index}`, image.bytes));
  const file = hostFile(`layer${index}`, image.bytes);
  return new Qcow2Layer({
    name: `layer${index}`,
    meta: readImageMeta(file.source),
    file,
    dataFileName: image.dataFile ? `layer${index}.data` : undefined,
    openDataFile: image.dataFile ? () => hostFile(`layer${index}.data`, image.dataFile!) : undefined,
    openBacking: index + 1 < images.length ? () => memoryChain(images, index + 1) : undefined,
  });
}

/** A qcow2 (or raw) file read into memory. */
export function load(path: string, format: 'qcow2' | 'raw' = 'qcow2'): MemoryImage {
  return { bytes: new Uint8Array(readFileSync(path)), format };
}
