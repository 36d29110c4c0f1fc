/**
 * shortLabel: a write's labels in a few words, for the sentences that tie a witness to writes
 * ("file extension + data", "L2 entry 0", "header incompatible_features").
 */
import { indexRange, type ChangeLabel } from './change-label.js';

export function shortLabel(labels: readonly ChangeLabel[]): string {
  const changed = labels.filter((l) => l.changed);
  if (changed.length === 0) return 'no change';
  const ordered = [...changed.filter((l) => l.kind === 'file-extension'), ...changed.filter((l) => l.kind !== 'file-extension')];
  return [...new Set(ordered.map(wordsOf))].join(' + ');
}

function wordsOf(l: ChangeLabel): string {
  const range = l.firstEntryIndex !== undefined && l.lastEntryIndex !== undefined ? indexRange(l.firstEntryIndex, l.lastEntryIndex) : '';
  const plural = l.firstEntryIndex !== l.lastEntryIndex ? 'entries' : 'entry';
  switch (l.kind) {
    case 'header':
      return `header ${(l.fields ?? []).map((f) => f.name).join(', ')}`.trim();
    case 'l1-entries':
      return `L1 ${plural} ${range}`;
    case 'l2-entries':
      return `L2 ${plural} ${range}`;
    case 'refcount-table-entries':
      return `refcount table ${plural} ${range}`;
    case 'refcount-block':
      return 'refcount block';
    case 'unreferenced':
      return 'unreferenced bytes';
    default:
      return l.kind.replace(/-/g, ' ');
  }
}
