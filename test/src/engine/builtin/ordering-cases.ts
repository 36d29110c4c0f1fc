/**
 * One ordering case per mutant: a small workload and a predicate over the recorded device log that
 * the rule it names requires (ORD-*, LAZY-*, L2-2). The correct engine must satisfy every predicate;
 * each mutant must break its own.
 */
import type { StorageOp } from '../../../../spec/semantics/storage-contract.js';
import { hasCopied } from '../../../../spec/format/l1-entry.js';
import { getRefcount } from '../../../../spec/format/refcount-block.js';
import { l1L2Offset } from '../../../../src/engine/builtin/l1-table.js';
import { lookupCluster } from '../../../../src/engine/builtin/cluster-lookup.js';
import type { MutantName } from '../../../../src/engine/mutants.js';
import { durableBefore, findOp, flushBetween, touches, type RecordSpec, type Recorded } from './record.js';

interface OrderingCase {
  mutant: MutantName;
  rule: string;
  /** What must hold, in words. */
  claim: string;
  spec: RecordSpec;
  holds: (r: Recorded) => boolean;
}

const CS = 65536;
const fill = (n: number, b: number) => new Uint8Array(n).fill(b);
const refblockOf = (r: Recorded) => r.image.state.reftable.blockOffsets[0];
const l2Of = (r: Recorded) => l1L2Offset(r.image.state, 0);
const hostOf = (r: Recorded, guest: number) => lookupCluster(r.image.state, guest).hostOffsetBytes;
const isWrite = (op: StorageOp, offset: number, len = CS) => touches(op, offset, len);
const isFlush = (op: StorageOp) => op.kind === 'flush';

export const orderingCases: OrderingCase[] = [
  {
    mutant: 'refcount-after-l2',
    rule: 'ORD-1',
    claim: 'the refcount block is written and flushed before the L2 table that links the new cluster',
    spec: { setup: (i) => i.write(0, fill(CS, 1)), act: (i) => (i.write(CS, fill(CS, 2)), i.flush()) },
    holds: (r) => durableBefore(r.ops, (op) => isWrite(op, refblockOf(r)), (op) => isWrite(op, l2Of(r))),
  },
  {
    mutant: 'decref-before-unlink',
    rule: 'ORD-2',
    claim: 'the L2 unlink is written and flushed before the refcount block with the decrease',
    spec: { setup: (i) => i.write(0, fill(2 * CS, 1)), act: (i) => (i.discard(CS, CS), i.flush()) },
    holds: (r) => durableBefore(r.ops, (op) => isWrite(op, l2Of(r)), (op) => isWrite(op, refblockOf(r))),
  },
  {
    mutant: 'no-cow-flush',
    rule: 'ORD-3',
    claim: 'on a dirty lazy-refcounts image (no ORD-1 flush), copied data is flushed before the L2 update',
    spec: {
      create: { lazyRefcounts: true },
      setup: (i) => i.write(0, fill(CS, 1)),
      act: (i) => (i.write(2 * CS, fill(CS, 3)), i.write(CS + 512, fill(512, 2)), i.flush()),
    },
    holds: (r) => durableBefore(r.ops, (op) => isWrite(op, hostOf(r, CS)), (op) => isWrite(op, l2Of(r))),
  },
  {
    mutant: 'no-cow-flush',
    rule: 'ORD-4',
    claim: "on a dirty lazy-refcounts image, a new cluster's data is flushed before the L2 table that links it (QEMU 7.2 does not order it)",
    spec: {
      create: { lazyRefcounts: true },
      setup: (i) => i.write(0, fill(CS, 1)),
      act: (i) => (i.write(2 * CS, fill(CS, 3)), i.write(CS, fill(CS, 2)), i.flush()),
    },
    holds: (r) => durableBefore(r.ops, (op) => isWrite(op, hostOf(r, CS)), (op) => isWrite(op, l2Of(r))),
  },
  {
    mutant: 'l1-before-l2',
    rule: 'ORD-5',
    claim: 'a new L2 table is written and flushed before the L1 entry that points to it',
    spec: { act: (i) => i.write(0, fill(CS, 1)) },
    holds: (r) => durableBefore(r.ops, (op) => isWrite(op, l2Of(r)), (op) => isWrite(op, r.image.state.l1.offsetBytes, 8)),
  },
  {
    mutant: 'dirty-bit-unsynced',
    rule: 'LAZY-2',
    claim: 'the dirty bit is written and flushed before the first L2 update',
    spec: { create: { lazyRefcounts: true }, setup: (i) => i.write(0, fill(CS, 1)), act: (i) => (i.write(CS, fill(CS, 2)), i.flush()) },
    holds: (r) => durableBefore(r.ops, (op) => isWrite(op, 72, 8), (op) => isWrite(op, l2Of(r))),
  },
  {
    mutant: 'clean-before-flush',
    rule: 'LAZY-4',
    claim: 'every refcount block write is flushed before the dirty bit is cleared, none comes after',
    spec: { create: { lazyRefcounts: true }, act: (i) => (i.write(0, fill(CS, 1)), i.close()) },
    holds: (r) => {
      const set = findOp(r.ops, (op) => isWrite(op, 72, 8));
      const clear = findOp(r.ops, (op) => isWrite(op, 72, 8), set + 1);
      const lastRefblock = r.ops.reduce((last, op, k) => (isWrite(op, refblockOf(r)) ? k : last), -1);
      return set >= 0 && clear > set && lastRefblock >= 0 && lastRefblock < clear && flushBetween(r.ops, lastRefblock, clear);
    },
  },
  {
    mutant: 'snapshot-table-before-refs',
    rule: 'ORD-9',
    claim: 'the +1 refcounts of a new snapshot are on disk before the header publishes it',
    spec: { setup: (i) => i.write(0, fill(CS, 1)), act: (i) => i.snapshotCreate('s') },
    holds: (r) => {
      const dataCluster = hostOf(r, 0) / CS;
      const incremented = (op: StorageOp) => isWrite(op, refblockOf(r)) && op.offsetBytes === refblockOf(r) && getRefcount(op.data!, dataCluster, 4) === 2;
      return durableBefore(r.ops, incremented, (op) => isWrite(op, 60, 12));
    },
  },
  {
    mutant: 'reuse-before-unlink-durable',
    rule: 'ORD-2/ORD-11 (MUT-15)',
    claim: 'a freed cluster is not written again before the unlink that freed it is flushed',
    spec: {
      setup: (i) => {
        i.write(0, fill(3 * CS, 1));
        freedHostBytes = hostOf({ image: i } as Recorded, CS);
      },
      act: (i) => (i.discard(CS, CS), i.write(5 * CS, fill(CS, 9))),
    },
    holds: (r) => freedHostBytes > 0 && !r.ops.some((op) => isWrite(op, freedHostBytes) && op.data?.[0] === 9),
  },
  {
    mutant: 'reftable-switch-early',
    rule: 'ORD-7',
    claim: 'a grown refcount table is written and flushed before the header switches to it',
    spec: { create: { clusterSizeBytes: 512, refcountBits: 64 }, act: (i) => i.write(0, fill(3 << 20, 3)) },
    holds: (r) => {
      const table = r.image.state.reftable.offsetBytes;
      return table !== 512 && durableBefore(r.ops, (op) => isWrite(op, table, 512), (op) => isWrite(op, 48, 12));
    },
  },
  {
    mutant: 'copied-flag-stale',
    rule: 'L2-2',
    claim: 'after a snapshot, the shared cluster has COPIED clear in the active L2 table',
    spec: { setup: (i) => i.write(0, fill(CS, 1)), act: (i) => (i.snapshotCreate('s'), i.flush()) },
    holds: (r) => !hasCopied(lookupCluster(r.image.state, 0).hi),
  },
  {
    mutant: 'header-rewrite-in-place',
    rule: 'ORD-8',
    claim: 'header fields change by small synced writes inside the first sector, never by rewriting cluster 0',
    spec: { create: { lazyRefcounts: true }, act: (i) => (i.write(0, fill(CS, 1)), i.resize(16 << 20), i.close()) },
    holds: (r) => {
      const headerWrites = r.ops.map((op, k) => [op, k] as const).filter(([op]) => touches(op, 0, 512));
      return headerWrites.length > 0 && headerWrites.every(([op, k]) => op.kind === 'write' && op.offsetBytes + op.lengthBytes <= 512 && r.ops[k + 1] && isFlush(r.ops[k + 1]));
    },
  },
];

/** Host cluster the reuse case's setup gave guest cluster 1, which its act then frees. */
let freedHostBytes = 0;
