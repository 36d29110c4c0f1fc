/**
 * Compressed writes (qemu-io `write -c`): whole clusters only, and only where nothing is allocated
 * (QEMU refuses to overwrite: EIO). Each cluster is deflated and packed with allocCompressedBytes;
 * a cluster that does not compress, or an image whose compression type is zstd (crashcow has no
 * zstd encoder), is written uncompressed, which reads back the same.
 */
import { compressedDescriptorHi, compressedDescriptorLo } from '../../../spec/format/compressed-descriptor.js';
import { compressionTypes } from '../../../spec/format/feature-bits.js';
import { offsetIntoCluster } from '../../../spec/format/geometry.js';
import { ClusterType } from '../../../spec/format/l2-entry.js';
import { EngineError } from '../engine-error.js';
import { allocCompressedBytes } from './compressed-alloc.js';
import { deflateCluster } from './compression.js';
import { linkL2Entry } from './l2-link.js';
import type { Qcow2State } from './state.js';
import { mappingForWrite, writeInCluster } from './write-cluster.js';

/**
 * Writes `data` compressed at cluster-aligned `guestOffsetBytes`. The length must be whole clusters
 * or end at the virtual size. Throws EngineError EINVAL when unaligned, EIO over allocated clusters.
 */
export function writeCompressed(s: Qcow2State, guestOffsetBytes: number, data: Uint8Array): void {
  const cs = s.g.clusterSizeBytes;
  const end = guestOffsetBytes + data.length;
  if (offsetIntoCluster(s.g, guestOffsetBytes) !== 0 || (offsetIntoCluster(s.g, data.length) !== 0 && end !== s.g.virtualSizeBytes)) {
    throw new EngineError('EINVAL', 'compressed writes must cover whole clusters');
  }
  for (let pos = 0; pos < data.length; pos += cs) {
    const chunk = data.subarray(pos, Math.min(pos + cs, data.length));
    writeOneCompressed(s, guestOffsetBytes + pos, chunk);
  }
}

function writeOneCompressed(s: Qcow2State, guest: number, chunk: Uint8Array): void {
  const cs = s.g.clusterSizeBytes;
  const m = mappingForWrite(s, guest);
  if (m.type === ClusterType.normal || m.type === ClusterType.zeroAlloc || m.type === ClusterType.compressed) {
    throw new EngineError('EIO', `compressed write over the allocated cluster at guest offset ${guest}`);
  }
  const full = chunk.length === cs ? chunk : padded(chunk, cs);
  const stream = s.header.compressionType === compressionTypes.deflate ? deflateCluster(full, cs) : undefined;
  if (!stream) return writeInCluster(s, guest, chunk);
  const host = allocCompressedBytes(s, stream.length);
  s.device.write(host, stream);
  const hi = compressedDescriptorHi(host, stream.length, s.g.clusterBits);
  linkL2Entry(s, m, { hi, lo: compressedDescriptorLo(host), zeroBits: 0, allocBits: 0 }, { cowDone: false });
}

function padded(chunk: Uint8Array, sizeBytes: number): Uint8Array {
  const out = new Uint8Array(sizeBytes);
  out.set(chunk);
  return out;
}
