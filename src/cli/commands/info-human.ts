/**
 * The human layout of `crashcow info`: the same facts as the JSON, laid out like qemu-img info's
 * text (sizes in binary units, snapshot table, format-specific block).
 */
import type { ImageInfo, SnapshotInfo } from '../../image/image-info.js';

/** Renders `info` as text lines ending in a newline. */
export function formatInfoHuman(info: ImageInfo): string {
  const lines = [
    `image: ${info.filename}`,
    `file format: ${info.format}`,
    `virtual size: ${humanSize(info['virtual-size'])} (${info['virtual-size']} bytes)`,
    `disk size: ${humanSize(info['actual-size'])}`,
    `cluster_size: ${info['cluster-size']}`,
  ];
  if (info['backing-filename'] !== undefined) {
    const full = info['full-backing-filename'];
    lines.push(`backing file: ${info['backing-filename']}${full && full !== info['backing-filename'] ? ` (actual path: ${full})` : ''}`);
  }
  if (info['backing-filename-format'] !== undefined) lines.push(`backing file format: ${info['backing-filename-format']}`);
  if (info.encrypted) lines.push('encrypted: yes');
  if (info.snapshots) lines.push('Snapshot list:', ...snapshotTable(info.snapshots));
  const d = info['format-specific'].data;
  lines.push('Format specific information:', `    compat: ${d.compat}`, `    compression type: ${d['compression-type']}`);
  if (d['lazy-refcounts'] !== undefined) lines.push(`    lazy refcounts: ${d['lazy-refcounts']}`);
  for (const b of d.bitmaps ?? []) lines.push(`    bitmap: ${b.name} (granularity ${b.granularity}${b.flags.length ? ', ' + b.flags.join(', ') : ''})`);
  lines.push(`    refcount bits: ${d['refcount-bits']}`);
  if (d.corrupt !== undefined) lines.push(`    corrupt: ${d.corrupt}`);
  if (d['data-file'] !== undefined) lines.push(`    data file: ${d['data-file']}`);
  if (d['data-file-raw'] !== undefined) lines.push(`    data file raw: ${d['data-file-raw']}`);
  if (d['extended-l2'] !== undefined) lines.push(`    extended l2: ${d['extended-l2']}`);
  lines.push(`    dirty: ${info['dirty-flag']}`);
  return lines.join('\n') + '\n';
}

function snapshotTable(snapshots: SnapshotInfo[]): string[] {
  const rows = [['ID', 'TAG', 'VM SIZE', 'DATE', 'VM CLOCK', 'ICOUNT']];
  for (const s of snapshots) {
    const date = new Date(s['date-sec'] * 1000).toISOString().replace('T', ' ').slice(0, 19);
    const clock = `${s['vm-clock-sec']}.${String(Math.floor(s['vm-clock-nsec'] / 1e6)).padStart(3, '0')}`;
    rows.push([s.id, s.name, humanSize(s['vm-state-size']), date, clock, s.icount === undefined ? '' : String(s.icount)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
}

/** "4 MiB", "364 KiB", "1.5 GiB", "512 B". */
function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toPrecision(3))} ${units[unit]}`;
}
