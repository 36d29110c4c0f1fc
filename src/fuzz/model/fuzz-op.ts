/**
 * FuzzOp: one step of a workload as the history and the case files record it (JSON-safe). The
 * fast-check commands (src/fuzz/commands) produce these; the runner applies them to an engine and
 * to the model. Numbers are bytes; write ids are assigned by the runner in execution order.
 */
export type FuzzOp =
  | { kind: 'write'; offsetBytes: number; lengthBytes: number; writeId: number }
  | { kind: 'write-zeroes'; offsetBytes: number; lengthBytes: number; unmap: boolean }
  | { kind: 'discard'; offsetBytes: number; lengthBytes: number }
  | { kind: 'flush' }
  | { kind: 'snapshot-create'; name: string }
  | { kind: 'snapshot-apply'; name: string }
  | { kind: 'snapshot-delete'; name: string }
  | { kind: 'resize'; sizeBytes: number }
  | { kind: 'reopen' }
  | { kind: 'crash' };

export type FuzzOpKind = FuzzOp['kind'];

/** Each kind once; `satisfies` makes the compiler reject a kind missing from it or one FuzzOp lacks. */
const KIND_SET = {
  write: true,
  'write-zeroes': true,
  discard: true,
  flush: true,
  'snapshot-create': true,
  'snapshot-apply': true,
  'snapshot-delete': true,
  resize: true,
  reopen: true,
  crash: true,
} as const satisfies Record<FuzzOpKind, true>;

/** Every FuzzOp kind, in the order FuzzOp lists them. */
export const FUZZ_OP_KINDS = Object.keys(KIND_SET) as readonly FuzzOpKind[];

/** Ops after which everything before them is durable (a flush, or a close that flushes). */
export function isBarrier(op: FuzzOp): boolean {
  return op.kind === 'flush' || op.kind === 'reopen';
}

/** One line, qemu-io style where there is one: "write 0x1000 0x200 #3", "flush", "snapshot -c s1". */
export function describeOp(op: FuzzOp): string {
  const hex = (n: number): string => '0x' + n.toString(16);
  switch (op.kind) {
    case 'write':
      return `write ${hex(op.offsetBytes)} ${hex(op.lengthBytes)} #${op.writeId}`;
    case 'write-zeroes':
      return `write -z${op.unmap ? ' -u' : ''} ${hex(op.offsetBytes)} ${hex(op.lengthBytes)}`;
    case 'discard':
      return `discard ${hex(op.offsetBytes)} ${hex(op.lengthBytes)}`;
    case 'snapshot-create':
      return `snapshot -c ${op.name}`;
    case 'snapshot-apply':
      return `snapshot -a ${op.name}`;
    case 'snapshot-delete':
      return `snapshot -d ${op.name}`;
    case 'resize':
      return `resize ${hex(op.sizeBytes)}`;
    default:
      return op.kind;
  }
}
