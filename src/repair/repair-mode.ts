/**
 * RepairMode: how far a repair may go, like qemu-img check -r. `leaks` lowers refcounts that are
 * too high and nothing else; `all` fixes everything it can, guest data first.
 */
export type RepairMode = 'leaks' | 'all';

const REPAIR_MODES: readonly RepairMode[] = ['leaks', 'all'];

/** True for "leaks" and "all". */
export function isRepairMode(value: string): value is RepairMode {
  return (REPAIR_MODES as readonly string[]).includes(value);
}
