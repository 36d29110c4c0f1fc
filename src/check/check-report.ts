/**
 * CheckReport: qemu-img check's facts under its JSON field names (every counter present, zeros
 * included), plus crashcow's findings and how many witnesses were left out per rule.
 */
import type { Finding } from '../../spec/invariants/finding.js';
import type { FindingSink, OmittedFindings } from '../../spec/walk/finding-sink.js';

export interface CheckReport {
  filename: string;
  format: 'qcow2';
  'check-errors': number;
  corruptions: number;
  leaks: number;
  'corruptions-fixed': number;
  'leaks-fixed': number;
  /** (highest cluster with a refcount or a reference + 1) x cluster size, in bytes. */
  'image-end-offset': number;
  /** The virtual size in clusters. */
  'total-clusters': number;
  'allocated-clusters': number;
  'fragmented-clusters': number;
  'compressed-clusters': number;
  findings: Finding[];
  'findings-omitted': OmittedFindings[];
}

/** The allocation facts of a completed walk (all zero when the check stopped before it). */
export interface ReportFacts {
  imageEndOffsetBytes: number;
  totalClusters: number;
  allocatedClusters: number;
  fragmentedClusters: number;
  compressedClusters: number;
}

export const NO_FACTS: ReportFacts = { imageEndOffsetBytes: 0, totalClusters: 0, allocatedClusters: 0, fragmentedClusters: 0, compressedClusters: 0 };

export function buildReport(filename: string, sink: FindingSink, facts: ReportFacts): CheckReport {
  return {
    filename,
    format: 'qcow2',
    'check-errors': sink.checkErrors,
    corruptions: sink.corruptions,
    leaks: sink.leaks,
    'corruptions-fixed': 0,
    'leaks-fixed': 0,
    'image-end-offset': facts.imageEndOffsetBytes,
    'total-clusters': facts.totalClusters,
    'allocated-clusters': facts.allocatedClusters,
    'fragmented-clusters': facts.fragmentedClusters,
    'compressed-clusters': facts.compressedClusters,
    findings: sink.findings,
    'findings-omitted': sink.omittedFindings(),
  };
}

/** qemu-img check's exit code: 1 check not completed, 2 corruptions, 3 leaks only, 0 clean. */
export function exitCodeOf(report: Pick<CheckReport, 'check-errors' | 'corruptions' | 'leaks'>): 0 | 1 | 2 | 3 {
  if (report['check-errors'] > 0) return 1;
  if (report.corruptions > 0) return 2;
  if (report.leaks > 0) return 3;
  return 0;
}
