/**
 * The report of `crashcow check -r`, where the checker and the repair meet: the repair runs with
 * the checker as its judge, and like qemu-img (REP-3) the counters come from the check run after
 * the repair, `corruptions-fixed` and `leaks-fixed` from the repair, plus `repairs`, every change
 * the repair made. A refused repair adds its reasons as check errors (exit code 1).
 */
import { checkImage } from '../../check/check-image.js';
import type { CheckReport } from '../../check/check-report.js';
import { repairImage, type RepairResult } from '../../repair/repair-image.js';
import type { RepairMode } from '../../repair/repair-mode.js';
import type { RepairRecord } from '../../repair/repair-record.js';
import { FileDevice } from '../../storage/file-device.js';

type RepairedReport = CheckReport & { repairs: RepairRecord[] };

/** Repairs the image file at `path` in place, judged by the checker. Throws the OS error when it cannot be opened read-write. */
export function repairFile(path: string, mode: RepairMode): RepairResult {
  const device = new FileDevice(path);
  try {
    return repairImage(device, mode, checkImage);
  } finally {
    device.close();
  }
}

/** The post-repair check report `after` with the repair's counters and records. */
export function repairedReport(after: CheckReport, result: RepairResult): RepairedReport {
  if (result.corruptionsFixed === null || result.leaksFixed === null) throw new Error('assertion failed: a repair run without counts cannot be reported');
  const report: RepairedReport = {
    ...after,
    'corruptions-fixed': result.corruptionsFixed,
    'leaks-fixed': result.leaksFixed,
    repairs: result.records,
  };
  if (result.refusal.length > 0) {
    report['check-errors'] += result.refusal.length;
    report.findings = [...result.refusal, ...report.findings];
  }
  return report;
}

/** The human lines for a repair, printed before the check report (qemu-img prints a similar summary). */
export function formatRepairHuman(result: RepairResult): string {
  const lines: string[] = [];
  for (const r of result.records) {
    const guest = r.guestRange ? ` [guest ${r.guestRange.owner} 0x${r.guestRange.offsetBytes.toString(16)}+0x${r.guestRange.lengthBytes.toString(16)}: reads ${r.guestRange.readsAfter}]` : '';
    lines.push(`${r.action === 'refused' ? 'Not repaired' : 'Repaired'}: ${r.rule} ${r.where}: ${r.detail}${guest}`);
  }
  if (result.strategy === 'none') lines.push('Nothing needed repair.', '');
  else if (result.strategy !== 'refused') {
    lines.push('', `The following inconsistencies were found and repaired (${result.strategy}):`, '', `    ${result.leaksFixed} leaked clusters`, `    ${result.corruptionsFixed} corruptions`, '', 'Double checking the fixed image now...');
  }
  return lines.join('\n') + '\n';
}
