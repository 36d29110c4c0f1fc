/**
 * A differential scenario: the options of one image (and its backing file) and a script of steps in
 * qemu-io / qemu-img syntax that both QEMU and crashcow run.
 */
export interface BackingSpec {
  format: 'qcow2' | 'raw';
  sizeBytes: number;
  /** qemu-io write commands that fill the backing file. */
  fills: string[];
}

export interface ImageSpec {
  clusterSizeBytes: number;
  refcountBits: number;
  compat: '0.10' | '1.1';
  lazyRefcounts: boolean;
  extendedL2: boolean;
  compressionType: 'zlib' | 'zstd';
  sizeBytes: number;
  backing?: BackingSpec;
}

export type Step =
  | { kind: 'io'; commands: string[] }
  | { kind: 'snapshot'; flag: '-c' | '-a' | '-d'; name: string }
  | { kind: 'resize'; sizeBytes: number; shrink: boolean };

export interface Scenario {
  image: ImageSpec;
  cacheMode: 'writeback' | 'writethrough';
  steps: Step[];
  /** The names of snapshots that exist at the end, in table order. */
  finalSnapshots: string[];
}

/** `-o` option string for qemu-img create. */
export function createOptionString(spec: ImageSpec): string {
  const opts = [`cluster_size=${spec.clusterSizeBytes}`, `compat=${spec.compat}`];
  if (spec.compat === '1.1') {
    opts.push(`refcount_bits=${spec.refcountBits}`, `lazy_refcounts=${spec.lazyRefcounts ? 'on' : 'off'}`, `extended_l2=${spec.extendedL2 ? 'on' : 'off'}`);
    opts.push(`compression_type=${spec.compressionType}`);
  }
  return opts.join(',');
}

/** One line per step, for failure reports (replayable by hand with qemu-io / qemu-img). */
export function describeScenario(s: Scenario): string {
  const lines = [`image: ${JSON.stringify(s.image)} cache=${s.cacheMode}`];
  for (const step of s.steps) {
    if (step.kind === 'io') lines.push(`io: ${step.commands.map((c) => `-c '${c}'`).join(' ')}`);
    else if (step.kind === 'snapshot') lines.push(`snapshot ${step.flag} ${step.name}`);
    else lines.push(`resize ${step.shrink ? '--shrink ' : ''}${step.sizeBytes}`);
  }
  return lines.join('\n');
}
