/**
 * labelSteps: each write of a run of storage operations, labelled by spec/explain against the
 * image just before and just after it. Takes the file the run starts from and the operations;
 * images are copy-on-write forks, and layouts are read only for the ranges the operations touch.
 * The layout after a write comes first, then the layouts after later writes (a table written
 * before the entry that links it), then earlier ones (a structure the write unlinks).
 */
import { imageLayout, type ImageLayout } from '../../spec/explain/image-layout.js';
import { labelWrite } from '../../spec/explain/label-write.js';
import type { ChangeLabel } from '../../spec/explain/change-label.js';
import { byteRange } from '../../spec/explain/change-label.js';
import type { StorageOp } from '../../spec/semantics/storage-contract.js';
import { applyOp } from '../storage/apply-op.js';
import type { BlockDevice } from '../storage/block-device.js';
import { CowDevice } from '../storage/cow-device.js';
import { toByteSource } from '../storage/to-byte-source.js';

export interface LabelledStep {
  index: number;
  op: StorageOp;
  changes: ChangeLabel[];
}

/**
 * Labels ops[first, end) applied in order over `start` (the file after ops[0, first)). Flushes
 * are left out. `index` is the operation's index in `ops`.
 */
export function labelSteps(start: BlockDevice, ops: readonly StorageOp[], first: number, end: number): LabelledStep[] {
  const touched = ops.slice(first, end).filter((op) => op.kind !== 'flush').map((op) => rangeOf(op, op.sizeBytesAfter));
  const keep = (from: number, to: number): boolean => touched.some((r) => r.fromBytes < to && from < r.toBytes);
  const images: BlockDevice[] = [start];
  let cursor = new CowDevice(start);
  for (let i = first; i < end; i++) {
    applyOp(cursor, ops[i]);
    images.push(cursor);
    cursor = cursor.fork();
  }
  const layouts: ImageLayout[] = images.map((d) => imageLayout(toByteSource(d), keep));
  const steps: LabelledStep[] = [];
  for (let i = first; i < end; i++) {
    const op = ops[i];
    if (op.kind === 'flush') continue;
    const k = i - first;
    const before = images[k];
    const after = images[k + 1];
    const order = [layouts[k + 1], ...layouts.slice(k + 2), ...layouts.slice(0, k + 1).reverse()];
    const changes = op.kind === 'truncate' ? truncateLabels(before.sizeBytes, after.sizeBytes) : [];
    const range = rangeOf(op, before.sizeBytes);
    if (op.kind !== 'truncate' && range.toBytes > range.fromBytes) changes.push(...labelWrite({ before: toByteSource(before), after: toByteSource(after), ...range, layouts: order }));
    steps.push({ index: i, op, changes });
  }
  return steps;
}

/** The bytes an operation may change: a discard stops at the file's end. */
function rangeOf(op: StorageOp, sizeBeforeBytes: number): { fromBytes: number; toBytes: number } {
  const end = op.offsetBytes + op.lengthBytes;
  if (op.kind === 'truncate') return { fromBytes: Math.min(op.offsetBytes, sizeBeforeBytes), toBytes: Math.max(op.offsetBytes, sizeBeforeBytes) };
  return { fromBytes: op.offsetBytes, toBytes: op.kind === 'discard' ? Math.max(op.offsetBytes, Math.min(end, sizeBeforeBytes)) : end };
}

function truncateLabels(beforeBytes: number, afterBytes: number): ChangeLabel[] {
  if (afterBytes > beforeBytes) return [{ kind: 'file-extension', fromBytes: beforeBytes, toBytes: afterBytes, changed: true, text: `file extension ${byteRange(beforeBytes, afterBytes)} (truncate up from ${beforeBytes} to ${afterBytes} bytes)` }];
  return [{ kind: 'file-truncation', fromBytes: afterBytes, toBytes: beforeBytes, changed: afterBytes !== beforeBytes, text: `file truncated to ${afterBytes} bytes (cuts ${byteRange(afterBytes, beforeBytes)})` }];
}
