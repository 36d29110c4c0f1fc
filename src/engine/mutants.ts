/**
 * Mutants: deliberately broken variants of the built-in engine. Each is a one-line switch at the
 * place the broken rule is declared (grep for its name), so the fuzzer and the ordering tests can
 * prove they catch exactly that bug. Names, rules and MUT ids follow ../shared/QCOW2-FACTS.md §2, §4.
 */
interface MutantSpec {
  name: string;
  /** One line: what the mutant does differently. */
  description: string;
  /** Rule ids it breaks (ORD-*, LAZY-*, L2-*). */
  rules: readonly string[];
  /** The QCOW2-FACTS §4 mutant idea it implements (or, without one, where the idea comes from). */
  factsId: string;
}

export const mutantSpecs = [
  { name: 'refcount-after-l2', description: 'links a new cluster in L2 without first writing and flushing its refcount', rules: ['ORD-1'], factsId: 'MUT-1' },
  { name: 'decref-before-unlink', description: 'writes the refcount decrease to disk before the L2 unlink is written', rules: ['ORD-2'], factsId: 'MUT-2' },
  { name: 'no-cow-flush', description: 'updates L2 after writing a cluster\'s data (copy-on-write or, under lazy refcounts, any new data) without flushing that data first', rules: ['ORD-3', 'ORD-4'], factsId: 'MUT-3' },
  { name: 'l1-before-l2', description: 'points the L1 entry at a new L2 table before the table is written', rules: ['ORD-5'], factsId: 'MUT-4' },
  { name: 'dirty-bit-unsynced', description: 'sets the lazy-refcounts dirty bit without flushing it before the first L2 update', rules: ['LAZY-2'], factsId: 'MUT-11' },
  { name: 'clean-before-flush', description: 'clears the dirty bit before the refcount blocks are flushed', rules: ['LAZY-4'], factsId: 'MUT-10' },
  { name: 'snapshot-table-before-refs', description: 'publishes a new snapshot before its refcount increments are on disk', rules: ['ORD-9'], factsId: 'MUT-8' },
  { name: 'reuse-before-unlink-durable', description: 'hands out freed clusters again before the unlink that freed them is on disk', rules: ['ORD-2', 'ORD-11'], factsId: 'MUT-15' },
  { name: 'reftable-switch-early', description: 'switches the header to a grown refcount table before the table is written', rules: ['ORD-7'], factsId: 'MUT-6' },
  { name: 'repair-naive-increment', description: 'repair raises a referenced refcount-0 cluster in place instead of rebuilding (read by src/repair/refcount-edits.ts)', rules: ['RC-6', 'REP-2'], factsId: 'MUT-16' },
  { name: 'repair-trusts-past-eof', description: 'repair keeps an L2 entry whose data cluster lies past the end of the file instead of dropping it (read by src/repair/l2-entry-plan.ts)', rules: ['AL-4', 'REP-2'], factsId: 'no MUT id: the QEMU 7.2 repair defect of corpus/qemu-repair-on-open-keeps-l2-past-eof.json' },
  { name: 'copied-flag-stale', description: 'keeps COPIED set on L2 entries that a new snapshot made shared', rules: ['L2-2', 'L1-3'], factsId: 'MUT-24' },
  { name: 'link-after-failed-write', description: 'links the L2 entry of a newly allocated cluster even when writing its data failed (an I/O error: found with --faults eio)', rules: ['ORD-4', 'P6-4'], factsId: 'issue 15' },
  { name: 'header-rewrite-in-place', description: 'rewrites header fields by zeroing and rewriting cluster 0 sector by sector, without a flush', rules: ['ORD-8'], factsId: 'MUT-27' },
] as const satisfies readonly MutantSpec[];

export type MutantName = (typeof mutantSpecs)[number]['name'];

/** Which mutants are on; every name is present. */
export type MutantFlags = Readonly<Record<MutantName, boolean>>;

/** True when `name` is a known mutant. */
export function isMutantName(name: string): name is MutantName {
  return mutantSpecs.some((m) => m.name === name);
}

/**
 * The flag record for a list of mutant names.
 * @throws RangeError for an unknown name (callers validate user input with isMutantName first)
 */
export function mutantFlags(names: readonly string[] = []): MutantFlags {
  const flags = Object.fromEntries(mutantSpecs.map((m) => [m.name, false])) as Record<MutantName, boolean>;
  for (const n of names) {
    if (!isMutantName(n)) throw new RangeError(`unknown mutant ${n}`);
    flags[n] = true;
  }
  return flags;
}
