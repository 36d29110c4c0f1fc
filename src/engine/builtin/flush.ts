/**
 * Flushing (ORD-10, qcow2_write_caches): the L2 cache goes out, the refcount cache too unless the
 * image is dirty (LAZY-3: refcounts are then written on eviction or close only), then the device is
 * flushed. Once that flush returns every unlink is durable, so quarantined clusters are released.
 */
import { releaseQuarantine } from './refcounts.js';
import { needAccurateRefcounts, type Qcow2State } from './state.js';

/** Writes the caches as ORD-10 says and flushes the device. `all` also writes refcounts while dirty. */
export function flushCaches(s: Qcow2State, opts: { all?: boolean } = {}): void {
  s.l2Cache.write();
  if (opts.all || needAccurateRefcounts(s)) s.refblockCache.write();
  s.device.flush();
  releaseQuarantine(s);
}
