/**
 * layoutReport: what `crashcow layout` says about an image: its host clusters counted per role
 * (spec/layout, from the reference walk) and the clusters the checker's findings name (broken),
 * with the check's counters. Read-only. Schema: spec/schemas/layout.schema.json.
 */
import { brokenClusters, type BrokenCluster, type RuleWitness } from '../../spec/layout/broken-clusters.js';
import type { RoleName } from '../../spec/layout/cluster-role.js';
import { clusterRoles, type ClusterRoles } from '../../spec/layout/cluster-roles.js';
import { roleCounts } from '../../spec/layout/role-counts.js';
import type { ByteSource } from '../../spec/format/byte-source.js';
import { readImageMeta } from '../../spec/format/image-meta.js';
import type { Finding } from '../../spec/invariants/finding.js';
import { checkImage } from '../check/check-image.js';
import type { CheckReport } from '../check/check-report.js';

export interface LayoutReport {
  schemaVersion: 1;
  image: string;
  clusterSizeBytes: number;
  fileSizeBytes: number;
  clusterCount: number;
  /** False when the walk could not finish: some clusters lack their role. */
  complete: boolean;
  counts: Record<RoleName, number>;
  broken: BrokenCluster[];
  check: { corruptions: number; leaks: number; checkErrors: number; findings: number };
}

export interface LayoutAnalysis {
  report: LayoutReport;
  roles: ClusterRoles;
  findings: Finding[];
}

/** The layout of the image behind `source`; null when its cluster 0 cannot be interpreted (or it has too many clusters to walk). */
export function layoutAnalysis(source: ByteSource, path: string): LayoutAnalysis | null {
  const roles = clusterRoles(source);
  if (roles === null) return null;
  const checked: CheckReport = checkImage(source, path);
  const broken = brokenClusters(findingWitnesses(checked.findings), roles.clusterSizeBytes, l2EntrySizeOf(source));
  const report: LayoutReport = {
    schemaVersion: 1,
    image: path,
    clusterSizeBytes: roles.clusterSizeBytes,
    fileSizeBytes: roles.fileSizeBytes,
    clusterCount: roles.roles.length,
    complete: roles.complete,
    counts: roleCounts(roles.roles),
    broken,
    check: { corruptions: checked.corruptions, leaks: checked.leaks, checkErrors: checked['check-errors'], findings: checked.findings.length },
  };
  return { report, roles, findings: checked.findings };
}

/** The witnesses of the findings that carry one as data. */
export function findingWitnesses(findings: readonly Finding[]): RuleWitness[] {
  return findings.flatMap((f) => (f.witness ? [{ rule: f.rule, witness: f.witness }] : []));
}

/** 8, or 16 with extended L2 entries (8 when cluster 0 no longer reads). */
export function l2EntrySizeOf(source: ByteSource): number {
  try {
    return readImageMeta(source).geometry.l2EntrySizeBytes;
  } catch {
    return 8;
  }
}
