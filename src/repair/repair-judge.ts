/**
 * RepairJudge: the checker a repair is handed to judge an image: before it plans a leak repair,
 * and on an overlay holding the planned result before it writes it (the dirty and corrupt bits are
 * cleared only when that result checks clean). Its caller passes crashcow's checker (src/check),
 * so the repair imports nothing of the checker: the judge shares no code with the judged.
 */
import type { ByteSource } from '../../spec/format/byte-source.js';
import type { Finding } from '../../spec/invariants/finding.js';
import type { OmittedFindings } from '../../spec/walk/finding-sink.js';

/** What a repair reads of a check: qemu-img check's counters and the findings (the CheckReport's fields). */
export interface Judgement {
  'check-errors': number;
  corruptions: number;
  leaks: number;
  findings: Finding[];
  'findings-omitted': OmittedFindings[];
}

/** Checks the image behind `source` (read-only); throws only what the source throws. */
export type RepairJudge = (source: ByteSource) => Judgement;
