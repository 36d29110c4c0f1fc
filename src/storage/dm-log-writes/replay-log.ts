import type { ByteSource } from '../../../spec/format/byte-source.js';
import { applyOp } from '../apply-op.js';
import type { BlockDevice } from '../block-device.js';
import type { DecodedLog } from './log-format.js';
import { forEachLogOp } from './log-ops.js';

/**
 * Replays log entries 0..lastEntryIndex (all by default) onto a device holding the starting image,
 * in order: writes written, discards discarded, flushes flushed, size marks applied as truncates.
 * Returns the number of operations applied.
 * @throws FormatError (LOG-ENTRY-BOUNDS) when data is missing from the log
 */
export function replayLog(log: ByteSource, decoded: DecodedLog, dev: BlockDevice, lastEntryIndex = decoded.entries.length - 1): number {
  let applied = 0;
  forEachLogOp(log, decoded, dev.sizeBytes, lastEntryIndex, (op) => {
    applyOp(dev, op);
    applied++;
  });
  return applied;
}
