/** Coverage in a few lines for people: the op kinds on one line, the image options on another. */
import type { KnownCoverage } from './known-coverage.js';

/** Two lines (no newline at the end of either). */
export function describeCoverage(c: KnownCoverage): string[] {
  const ops = Object.entries(c.opKinds).map(([kind, n]) => `${kind} ${n.runs}/${n.ops}/${n.crashPoints}/${n.crashStates}`);
  const options = Object.entries(c.imageOptions).map(([name, values]) => `${name} ${Object.entries(values).map(([v, runs]) => `${v}:${runs}`).join(' ')}`);
  return [`coverage by op kind (runs/ops/crash points/crash states while one was in flight): ${ops.join(', ')}`, `coverage by image option (runs): ${options.join('; ')}`];
}
