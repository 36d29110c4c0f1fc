/**
 * `npm run sample-check`: makes sample images with qemu-img (clean, with snapshots,
 * compressed, lazy-refcount dirty, deliberately damaged), checks each with crashcow and with
 * qemu-img, and prints a table. Exit 0 when every verdict agrees with qemu-img's, 1 otherwise, 2
 * when the QEMU chosen cannot run. `--qemu DIR` (`npm run sample-check -- --qemu DIR`; default
 * CRASHCOW_QEMU_DIR, else PATH) chooses the qemu-img and qemu-io that make and check the images.
 */
import { execa } from 'execa';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { l1EntryL2OffsetBytes } from '../spec/format/l1-entry.js';
import { encodeL2Entry } from '../spec/format/l2-entry.js';
import { qemuDirOf, resolveQemuBinaries, type QemuBinaries } from '../src/engine/qemu/qemu-binaries.js';
import { isQemuMissingError } from '../src/engine/qemu/qemu-missing-error.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const qemu = await chosenQemu(process.argv.slice(2));
const dir = mkdtempSync(join(tmpdir(), 'crashcow-sample-'));
const p = (name: string) => join(dir, name);

interface Sample {
  name: string;
  make: (path: string) => Promise<void>;
}

async function sh(bin: string, args: string[]): Promise<void> {
  const r = await execa(bin, args, { reject: false });
  if (r.exitCode !== 0) throw new Error(`${bin} ${args.join(' ')}: ${r.stderr}`);
}
const img = (...args: string[]) => sh(qemu.img, args);
const io = (path: string, ...cmds: string[]) => sh(qemu.io, ['-f', 'qcow2', path, ...cmds.flatMap((c) => ['-c', c])]);

/** The QEMU of `--qemu DIR` (else CRASHCOW_QEMU_DIR, else PATH); exits 2 with the reason when it cannot run. */
async function chosenQemu(argv: readonly string[]): Promise<QemuBinaries> {
  const flag = argv.length === 2 && argv[0] === '--qemu' ? argv[1] : argv.length === 1 && argv[0].startsWith('--qemu=') ? argv[0].slice(7) : undefined;
  if (argv.length > 0 && flag === undefined) {
    process.stderr.write(`sample check: unexpected arguments "${argv.join(' ')}"; usage: npm run sample-check [-- --qemu DIR]\n`);
    process.exit(2);
  }
  try {
    return await resolveQemuBinaries(qemuDirOf(flag));
  } catch (err) {
    if (!isQemuMissingError(err)) throw err;
    process.stderr.write(`sample check: ${err.message}\n`);
    process.exit(2);
  }
}

/** Overwrites 8 bytes at `offset` with a big-endian u64. */
function poke64(path: string, offset: number, value: bigint): void {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value);
  const fd = openSync(path, 'r+');
  writeSync(fd, b, 0, 8, offset);
  closeSync(fd);
}

function u64(path: string, offset: number): bigint {
  return readFileSync(path).readBigUInt64BE(offset);
}

function u32(path: string, offset: number): number {
  return readFileSync(path).readUInt32BE(offset);
}

/** Points the first L2 entry of the first L2 table at the refcount table, with COPIED set. */
function pointFirstL2EntryAtReftable(path: string): void {
  const l1OffsetBytes = Number(u64(path, 40));
  const l2OffsetBytes = l1EntryL2OffsetBytes(u32(path, l1OffsetBytes), u32(path, l1OffsetBytes + 4));
  poke64(path, l2OffsetBytes, encodeL2Entry({ hostOffsetBytes: Number(u64(path, 48)), copied: true }));
}

const samples: Sample[] = [
  { name: 'fresh v3, 64 KiB clusters', make: (f) => img('create', '-f', 'qcow2', f, '64M') },
  { name: 'v2 (compat 0.10) with data', make: async (f) => { await img('create', '-f', 'qcow2', '-o', 'compat=0.10', f, '64M'); await io(f, 'write -P 0xa1 0 1M', 'write -P 0xa2 5M 300k'); } },
  { name: 'snapshots and COW', make: async (f) => { await img('create', '-f', 'qcow2', f, '64M'); await io(f, 'write -P 1 0 2M'); await img('snapshot', '-c', 's1', f); await io(f, 'write -P 2 64k 128k'); } },
  { name: 'refcount_bits=1, 4 KiB clusters', make: async (f) => { await img('create', '-f', 'qcow2', '-o', 'refcount_bits=1,cluster_size=4k', f, '16M'); await io(f, 'write -P 3 0 1M', 'discard 256k 256k'); } },
  { name: 'extended L2 subclusters', make: async (f) => { await img('create', '-f', 'qcow2', '-o', 'extended_l2=on', f, '16M'); await io(f, 'write -P 4 4k 6k', 'write -z 64k 8k'); } },
  { name: 'lazy refcounts, crashed (dirty)', make: async (f) => { await img('create', '-f', 'qcow2', '-o', 'lazy_refcounts=on', f, '16M'); await execa(qemu.io, ['-f', 'qcow2', f, '-c', 'write -P 5 0 1M', '-c', 'sigraise 9'], { reject: false }); } },
  { name: 'damaged: leaked cluster', make: async (f) => { await img('create', '-f', 'qcow2', '-o', 'cluster_size=64k', f, '16M'); await io(f, 'write -P 6 0 64k', 'discard 0 64k'); const rb = Number(u64(f, Number(u64(f, 48)))); const b = Buffer.alloc(2); b.writeUInt16BE(1); const fd = openSync(f, 'r+'); writeSync(fd, b, 0, 2, rb + 2 * 5); closeSync(fd); } },
  { name: 'damaged: L2 entry into reftable', make: async (f) => { await img('create', '-f', 'qcow2', f, '16M'); await io(f, 'write -P 7 0 64k'); pointFirstL2EntryAtReftable(f); } },
];

async function checkWith(bin: 'crashcow' | 'qemu-img', path: string): Promise<{ code: number; json: Record<string, unknown> }> {
  const r = bin === 'crashcow'
    ? await execa(process.execPath, [cli, 'check', '--output', 'json', path], { reject: false })
    : await execa(qemu.img, ['check', '--output=json', path], { reject: false });
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(r.stdout) as Record<string, unknown>; } catch { /* an image qemu-img cannot open prints no JSON */ }
  return { code: r.exitCode ?? -1, json };
}

const verdict = (code: number) => ['clean', 'check error', 'corruptions', 'leaks only'][code] ?? `exit ${code}`;
const n = (j: Record<string, unknown>, k: string) => (typeof j[k] === 'number' ? (j[k] as number) : 0);

async function main(): Promise<number> {
  process.stdout.write(`crashcow sample check: ${samples.length} images made by qemu-img in ${dir}\n${qemu.versionLine} (${qemu.img})\n\n`);
  process.stdout.write(`${'image'.padEnd(36)} ${'crashcow'.padEnd(22)} ${'qemu-img'.padEnd(22)} agree\n`);
  let disagreements = 0;
  for (const [i, sample] of samples.entries()) {
    const path = p(`sample-${i}.qcow2`);
    await sample.make(path);
    const ours = await checkWith('crashcow', path);
    const theirs = await checkWith('qemu-img', path);
    const fmt = (r: { code: number; json: Record<string, unknown> }) =>
      `${verdict(r.code)} c=${n(r.json, 'corruptions')} l=${n(r.json, 'leaks')}`;
    const agree = ours.code === theirs.code && n(ours.json, 'corruptions') === n(theirs.json, 'corruptions') && n(ours.json, 'leaks') === n(theirs.json, 'leaks');
    if (!agree) disagreements++;
    process.stdout.write(`${sample.name.padEnd(36)} ${fmt(ours).padEnd(22)} ${fmt(theirs).padEnd(22)} ${agree ? 'yes' : 'NO'}\n`);
  }
  process.stdout.write(`\n${samples.length - disagreements}/${samples.length} verdicts agree with qemu-img check.\n`);
  const last = p(`sample-${samples.length - 1}.qcow2`);
  const detail = await execa(process.execPath, [cli, 'check', last], { reject: false });
  process.stdout.write(`\ncrashcow check of "${samples[samples.length - 1].name}":\n${detail.stdout}\n`);
  return disagreements === 0 ? 0 : 1;
}

main().then(
  (code) => { rmSync(dir, { recursive: true, force: true }); process.exitCode = code; },
  (err: unknown) => { rmSync(dir, { recursive: true, force: true }); process.stderr.write(`sample check failed: ${(err as Error).message}\n`); process.exitCode = 1; },
);
