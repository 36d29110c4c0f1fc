/**
 * src/storage: the fault-injecting storage layer.
 *
 * Takes: nothing but bytes. Gives: synchronous block devices (memory, file, copy-on-write), a
 * RecordingDevice that logs every completed operation in flush epochs, a FaultyDevice that injects
 * EIO/ENOSPC, the crash-state generator (CrashPlan: every state a power loss may leave under the
 * storage contract in spec/semantics/storage-contract, exhaustive or seeded-sampled, each rebuilt
 * from a compact id), and the dm-log-writes codec so QEMU blklogwrites logs become crash states and
 * recordings become logs xfstests' replay-log can replay.
 * Must never: import engine/ or check/, use Math.random or the clock for a decision, or throw
 * anything but FormatError for bad input (injected faults are InjectedFault; the rest are bugs).
 */
export { applyOp } from './apply-op.js';
export { readIntoFrom, type BlockDevice, type WriteOptions } from './block-device.js';
export { contentDigest } from './content-digest.js';
export { CowDevice } from './cow-device.js';
export { FaultyDevice, type FaultRule } from './faulty-device.js';
export { FileDevice } from './file-device.js';
export { writeImageFile } from './image-file.js';
export { InjectedFault, isInjectedFault, type FaultOpClass, type InjectedErrno } from './injected-fault.js';
export { MemoryDevice } from './memory-device.js';
export { Prng } from './prng.js';
export { RecordingDevice, type FlushEpoch } from './recording-device.js';
export { toByteSource } from './to-byte-source.js';
export { CrashPlan, DEFAULT_MAX_STATES, type CrashMode, type CrashPlanOptions, type CrashPointPlan } from './crash-states/crash-plan.js';
export { CrashState, type CrashStateSummary } from './crash-states/crash-state.js';
export { writeCrashStates } from './crash-states/write-crash-states.js';
export { decodeLog, readEntryData } from './dm-log-writes/decode-log.js';
export { encodeLog, type LogRecord } from './dm-log-writes/encode-log.js';
export { LogFlag, type DecodedLog, type LogEntry } from './dm-log-writes/log-format.js';
export { forEachLogOp, logToOps, type LogOps } from './dm-log-writes/log-ops.js';
export { opsToLog, opsToLogRecords } from './dm-log-writes/ops-to-log.js';
export { replayLog } from './dm-log-writes/replay-log.js';
