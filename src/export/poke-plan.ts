/**
 * planPoke: the `--form poke` variant of an exported test, where the script builds the image before
 * the crash itself with qemu-img and qemu-io, checks that it is the image the case's replay had at
 * a flush, and then writes the crash state's bytes with printf and dd. At export, crashcow runs the
 * script's own build (with the QEMU given) to find that flush in the replay's log; a case whose
 * build gives no image the replay had there, or needs steps qemu-io cannot take, is refused.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageOp } from '../../spec/semantics/storage-contract.js';
import type { QemuBinaries } from '../engine/qemu/qemu-binaries.js';
import { applyOp } from '../storage/apply-op.js';
import { MemoryDevice } from '../storage/memory-device.js';
import { ExportRefusal } from './export-refusal.js';
import type { IotestPlan } from './iotest-plan.js';
import { pokeBuildOf, POKE_IMAGE_FILE, type PokeBuild } from './poke-build.js';
import { renderBuildFunction } from './poke-script.js';

/** A run of bytes the crash state holds where the built image holds others. */
export interface PokeRun {
  offsetBytes: number;
  bytes: Uint8Array;
  /** Indexes (from 1) of the logged writes after the flush that touched these bytes. */
  logEntries: number[];
}

export interface PokePlan {
  build: PokeBuild;
  /** Storage operations of the replay's log the built image holds (it ends at a flush). */
  logEntriesBuilt: number;
  baseSha256Hex: string;
  pokes: PokeRun[];
  crashSizeBytes: number;
}

/** Two differing runs closer than this many bytes are written as one. */
const POKE_GAP_BYTES_MAX = 16;

/**
 * Plans the poke form of `plan`, running the build with `qemu`.
 * @throws ExportRefusal when the layout cannot be built with qemu-img and qemu-io, saying why
 */
export async function planPoke(plan: IotestPlan, qemu: QemuBinaries): Promise<PokePlan> {
  const where = plan.casePath;
  if (plan.insideRecoveryStateId !== null) throw new ExportRefusal(`${where}: --form poke cannot build this case's layout: its image is a crash inside the recovery's own writes, which qemu-io cannot stop at; use --form image`);
  if (plan.damage !== null) throw new ExportRefusal(`${where}: --form poke cannot build this case's layout: a damage case has no crash state to poke (its script damages the clean image); use --form image`);
  if (plan.segment === null) throw new ExportRefusal(`${where}: --form poke needs the replay's log of the crash; use --form image`);
  const build = pokeBuildOf(plan.case, where);
  const built = runBuild(build, plan, qemu);
  const logEntries = matchFlush(built, plan.segment.baseBytes, plan.segment.storageOps);
  if (logEntries === null) {
    const sum = createHash('sha256').update(built).digest('hex');
    throw new ExportRefusal(`${where}: --form poke cannot build this case's layout: qemu-io's run of its operations up to the last flush gives an image (${built.length} bytes, sha256 ${sum.slice(0, 16)}...) the replay never had at a flush on ${plan.rebuiltWith}; use --form image`);
  }
  return {
    build,
    logEntriesBuilt: logEntries,
    baseSha256Hex: createHash('sha256').update(built).digest('hex'),
    pokes: pokeRuns(built, plan.imageBytes, plan.segment.storageOps.slice(logEntries), logEntries),
    crashSizeBytes: plan.imageBytes.length,
  };
}

/** Runs the script's build_image in a temporary folder and returns the image it made. */
function runBuild(build: PokeBuild, plan: IotestPlan, qemu: QemuBinaries): Uint8Array {
  const tmp = mkdtempSync(join(tmpdir(), 'crashcow-poke-'));
  try {
    if (plan.backing) writeFileSync(join(tmp, plan.backing.fileName), plan.backing.bytes);
    const script = [...renderBuildFunction(build), 'build_image || exit 1', ''].join('\n');
    const r = spawnSync('bash', ['-c', script], { env: { ...process.env, tmp, QEMU_IMG: qemu.img, QEMU_IO: qemu.io }, encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      const log = safeRead(join(tmp, 'build.log'));
      throw new ExportRefusal(`${plan.casePath}: --form poke could not build the image with qemu-img and qemu-io (${r.error?.message ?? `exit ${r.status}`}): ${log.trim().split('\n').slice(-2).join(' / ')}`);
    }
    return new Uint8Array(readFileSync(join(tmp, POKE_IMAGE_FILE)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The number of log entries after which the replay's file equals `built`: the segment's start or
 * right after a flush, the latest such point (null when there is none).
 */
export function matchFlush(built: Uint8Array, baseBytes: Uint8Array, ops: readonly StorageOp[]): number | null {
  const dev = MemoryDevice.from(baseBytes);
  let found: number | null = null;
  const same = (): boolean => dev.sizeBytes === built.length && Buffer.from(dev.read(0, dev.sizeBytes)).equals(Buffer.from(built));
  if (same()) found = 0;
  ops.forEach((op, i) => {
    applyOp(dev, op);
    if (op.kind === 'flush' && same()) found = i + 1;
  });
  return found;
}

/**
 * The runs of `crash` that differ from `built` (bytes past `built`'s end count as zeros), each with
 * the logged writes after the flush that cover it (numbered from 1 in the whole log).
 */
export function pokeRuns(built: Uint8Array, crash: Uint8Array, after: readonly StorageOp[], firstIndex: number): PokeRun[] {
  const runs: Array<{ from: number; to: number }> = [];
  for (let i = 0; i < crash.length; i++) {
    if ((i < built.length ? built[i] : 0) === crash[i]) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && i - last.to <= POKE_GAP_BYTES_MAX) last.to = i + 1;
    else runs.push({ from: i, to: i + 1 });
  }
  return runs.map(({ from, to }) => ({
    offsetBytes: from,
    bytes: crash.slice(from, to),
    logEntries: after.flatMap((op, k) => (op.kind !== 'flush' && op.offsetBytes < to && op.offsetBytes + op.lengthBytes > from ? [firstIndex + k + 1] : [])),
  }));
}
