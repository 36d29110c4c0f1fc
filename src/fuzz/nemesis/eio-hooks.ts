/**
 * EioHooks: what a fuzz session lets the I/O-error nemesis do (Jepsen's nemesis acting on the
 * client's storage): arm a fault and say how many injected failures it made. The built-in session
 * arms its FaultyDevice at once; QEMU's reads blkdebug rules when the image is opened, so its
 * faults are armed by the reopen a run puts right before the operation (`arming: 'at-open'`).
 */
import type { FuzzOp } from '../model/fuzz-op.js';
import type { EioFault } from './eio-fault.js';

export interface EioHooks {
  /** 'now': the next request is the first one counted; 'at-open': the next open of the image arms it. */
  readonly arming: 'now' | 'at-open';
  /** True for operations a fault may be armed at. */
  canArmAt(op: FuzzOp): boolean;
  /** Arms `fault` (replacing any earlier one); it lasts until the image is closed. */
  arm(fault: EioFault): void;
  /**
   * Injected failures since the session started, when the target knows them; null when it cannot
   * tell (QEMU, before the log shows that the failing request was issued).
   */
  failures(): number | null;
  /**
   * True when failures() counts every injected failure and every failed operation reports it (the
   * built-in engine); false when failures() only says that one happened and a flush may fail
   * without a word (QEMU through qemu-io).
   */
  readonly exactFailures: boolean;
}
