/**
 * Validation of `qemu-img create -o` options, with QEMU's rules: cluster size a power of two in
 * 512 B..2 MiB (HDR-3), refcount width a power of two up to 64 (HDR-11), v2 (compat 0.10) without
 * lazy refcounts, extended L2, zstd or other refcount widths, extended L2 with clusters >= 16 KiB.
 */
import { limits } from '../../../spec/format/limits.js';
import type { CreateOptions } from '../engine.js';
import { EngineError } from '../engine-error.js';

interface CheckedCreateOptions {
  version: 2 | 3;
  clusterSizeBytes: number;
  refcountBits: number;
  lazyRefcounts: boolean;
  extendedL2: boolean;
  zstd: boolean;
}

/** Fills defaults and checks `opts`; throws EngineError EINVAL naming the bad option. */
export function checkCreateOptions(opts: CreateOptions): CheckedCreateOptions {
  const cs = opts.clusterSizeBytes ?? 65536;
  const bits = opts.refcountBits ?? 16;
  const version = opts.compat === '0.10' ? 2 : 3;
  const o: CheckedCreateOptions = { version, clusterSizeBytes: cs, refcountBits: bits, lazyRefcounts: opts.lazyRefcounts === true, extendedL2: opts.extendedL2 === true, zstd: opts.compressionType === 'zstd' };
  const fail = (msg: string): never => {
    throw new EngineError('EINVAL', msg);
  };
  if (!Number.isInteger(Math.log2(cs)) || cs < 2 ** limits.clusterBitsMin || cs > 2 ** limits.clusterBitsMaxQemu) fail(`cluster size must be a power of two between 512 and 2097152 bytes, got ${cs}`);
  if (![1, 2, 4, 8, 16, 32, 64].includes(bits)) fail(`refcount width must be a power of two and may not exceed 64 bits, got ${bits}`);
  if (version === 2 && bits !== 16) fail('different refcount widths than 16 bits require compatibility level 1.1 or above (use compat=1.1 or greater)');
  if (version === 2 && o.lazyRefcounts) fail('lazy refcounts only supported with compatibility level 1.1 and above (use compat=1.1 or greater)');
  if (version === 2 && o.extendedL2) fail('extended L2 entries are only supported with compatibility level 1.1 and above (use compat=1.1 or greater)');
  if (version === 2 && o.zstd) fail('compression type zstd requires compatibility level 1.1 or above');
  if (o.extendedL2 && cs < 2 ** limits.clusterBitsMinExtendedL2) fail('extended L2 entries are only supported with cluster sizes of at least 16384 bytes');
  if (opts.backingFile !== undefined && !opts.backingFormat) fail('backing file specified without backing format');
  if (opts.virtualSizeBytes !== undefined && (!Number.isSafeInteger(opts.virtualSizeBytes) || opts.virtualSizeBytes < 0)) fail(`bad virtual size ${opts.virtualSizeBytes}`);
  return o;
}
