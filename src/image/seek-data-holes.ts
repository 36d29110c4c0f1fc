/**
 * The file system's own hole map of a file, from lseek(SEEK_DATA / SEEK_HOLE), the calls QEMU's
 * file-posix driver makes for `qemu-img map`. Node has no binding for them, so a tiny perl script
 * (perl-base is Essential on Debian) walks the file once and prints its data extents. Without
 * perl, or on a file system that refuses the calls, there is no hole map and the spec falls back
 * to deciding holes from content.
 */
import { spawnSync } from 'node:child_process';
import type { HoleMap, HoleRun } from '../../spec/semantics/layer.js';

/** lseek whence values on Linux: SEEK_DATA 3, SEEK_HOLE 4; ENXIO (6) means no data at or after. */
const SCRIPT = [
  'open(my $f, "<", $ARGV[0]) or exit 2; my $p = 0;',
  'while (1) { my $d = sysseek($f, $p, 3); if (!defined $d) { exit($! + 0 == 6 ? 0 : 3) }',
  'my $h = sysseek($f, $d, 4); exit 3 unless defined $h; print(($d + 0), " ", ($h + 0), "\\n"); $p = $h + 0; }',
].join(' ');

/** Output limit for the extent list (about 10 million extents). */
const MAX_LISTING_BYTES = 256 * 1024 * 1024;

/** Asks the file system for the data extents of `path`; null when it cannot be asked. */
export function seekDataHoleMap(path: string): HoleMap | null {
  const r = spawnSync('perl', ['-e', SCRIPT, path], { encoding: 'utf8', maxBuffer: MAX_LISTING_BYTES });
  if (r.error || r.status !== 0) return null;
  const numbers = r.stdout.split(/\s+/).filter((t) => t.length > 0).map(Number);
  if (numbers.length % 2 !== 0 || numbers.some((n) => !Number.isSafeInteger(n) || n < 0)) return null;
  return new ExtentHoleMap(Float64Array.from(numbers));
}

/** A hole map from sorted, disjoint data extents [start, end) stored flat as start0, end0, start1 ... */
export class ExtentHoleMap implements HoleMap {
  private readonly extentCount: number;

  constructor(private readonly bounds: Float64Array) {
    this.extentCount = bounds.length / 2;
  }

  probe(offsetBytes: number, maxLengthBytes: number, out: HoleRun): void {
    const endBytes = offsetBytes + maxLengthBytes;
    const i = this.firstEndingAfter(offsetBytes);
    if (i < this.extentCount && this.bounds[2 * i] <= offsetBytes) {
      out.hole = false;
      out.lengthBytes = Math.min(endBytes, this.bounds[2 * i + 1]) - offsetBytes;
      return;
    }
    const nextDataBytes = i < this.extentCount ? this.bounds[2 * i] : Infinity;
    out.hole = true;
    out.lengthBytes = Math.min(endBytes, nextDataBytes) - offsetBytes;
  }

  /** Index of the first extent whose end lies after `offsetBytes` (binary search). */
  private firstEndingAfter(offsetBytes: number): number {
    let lo = 0;
    let hi = this.extentCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bounds[2 * mid + 1] <= offsetBytes) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
