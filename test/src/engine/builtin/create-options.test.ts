import { afterAll, describe, expect, it } from 'vitest';
import { checkCreateOptions } from '../../../../src/engine/builtin/create-options.js';
import { isEngineError } from '../../../../src/engine/engine-error.js';
import type { CreateOptions } from '../../../../src/engine/engine.js';
import { qemuImg, tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-create-options-');
afterAll(() => tmp.cleanup());

/** Options, and the same as `qemu-img create -o`. */
const cases: Array<[CreateOptions, string]> = [
  [{}, ''],
  [{ clusterSizeBytes: 512 }, 'cluster_size=512'],
  [{ clusterSizeBytes: 256 }, 'cluster_size=256'],
  [{ clusterSizeBytes: 4 << 20 }, 'cluster_size=4194304'],
  [{ clusterSizeBytes: 3000 }, 'cluster_size=3000'],
  [{ refcountBits: 64 }, 'refcount_bits=64'],
  [{ refcountBits: 3 }, 'refcount_bits=3'],
  [{ compat: '0.10', refcountBits: 8 }, 'compat=0.10,refcount_bits=8'],
  [{ compat: '0.10', lazyRefcounts: true }, 'compat=0.10,lazy_refcounts=on'],
  [{ compat: '0.10', extendedL2: true }, 'compat=0.10,extended_l2=on'],
  [{ compat: '0.10', compressionType: 'zstd' }, 'compat=0.10,compression_type=zstd'],
  [{ extendedL2: true, clusterSizeBytes: 8192 }, 'extended_l2=on,cluster_size=8192'],
  [{ extendedL2: true, clusterSizeBytes: 16384 }, 'extended_l2=on,cluster_size=16384'],
  [{ lazyRefcounts: true, compressionType: 'zstd' }, 'lazy_refcounts=on,compression_type=zstd'],
];

/** True when checkCreateOptions accepts `opts`; an EngineError EINVAL is a refusal. */
function accepts(opts: CreateOptions): boolean {
  try {
    checkCreateOptions(opts);
    return true;
  } catch (err) {
    if (isEngineError(err) && err.errno === 'EINVAL') return false;
    throw err;
  }
}

describe('checkCreateOptions', () => {
  it('fills QEMU\'s defaults: v3, 64 KiB clusters, 16-bit refcounts, nothing else on', () => {
    expect(checkCreateOptions({ virtualSizeBytes: 1 << 20 })).toEqual({ version: 3, clusterSizeBytes: 65536, refcountBits: 16, lazyRefcounts: false, extendedL2: false, zstd: false });
  });

  it.each(cases)('%j: accepted exactly when qemu-img create -o "%s" accepts it', async (opts, o) => {
    const path = tmp.path(`${o.replace(/[=,]/g, '_') || 'default'}.qcow2`);
    const r = await qemuImg(['create', '-q', '-f', 'qcow2', ...(o ? ['-o', o] : []), path, '1M']);
    expect(accepts({ ...opts, virtualSizeBytes: 1 << 20 })).toBe(r.exitCode === 0);
  });

  it('refuses a backing file without a format, and a negative or fractional size', () => {
    expect(accepts({ backingFile: 'base.img' })).toBe(false);
    expect(accepts({ backingFile: 'base.img', backingFormat: 'raw' })).toBe(true);
    expect(accepts({ virtualSizeBytes: -1 })).toBe(false);
    expect(accepts({ virtualSizeBytes: 1.5 })).toBe(false);
  });
});
