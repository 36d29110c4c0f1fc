/**
 * planIotest: what an exported qemu-iotests-style test of a QEMU case needs, worked out by
 * replaying the case on QEMU: the crash state's bytes (for P5, the state a crash left inside the
 * recovery, rebuilt from its id as the judge made it), the backing file, the recovery the verdict
 * names, whether leaks count, and the witness sector with the values the spec allows there.
 * The script and its expected output are rendered from the plan (iotest-script.ts).
 */
import { createHash } from 'node:crypto';
import { replayRecovery } from '../explain/recovery-replay.js';
import { caseDamage, type FuzzCase } from '../fuzz/case/fuzz-case.js';
import { replayToState } from '../fuzz/case/replay-to-state.js';
import { materializeValue, describeValue, ZERO_VALUE } from '../fuzz/content/sector-value.js';
import { BACKING_FILE_NAME } from '../fuzz/image-options.js';
import type { FuzzTarget } from '../fuzz/target/fuzz-target.js';
import type { StorageOp } from '../../spec/semantics/storage-contract.js';
import { SECTOR_SIZE_BYTES } from '../fuzz/content/content-tag.js';
import { ExportRefusal } from './export-refusal.js';
import { planDamage, type IotestDamage } from './damage-plan.js';

/** The recovery the script runs before it shows the symptom. */
export type IotestRecovery = 'none' | 'qemu read-write open and close' | 'qemu-img check -r all';

export interface WitnessCandidate {
  /** "zeros", "write #2", "write #1 in 324-512, zeros in 0-324". */
  label: string;
  sha256Hex: string;
}

export interface IotestWitness {
  guestOffsetBytes: number;
  sectorIndex: number;
  /** The values the spec allows in the sector after recovery. */
  candidates: WitnessCandidate[];
}

export interface IotestPlan {
  case: FuzzCase;
  /** The case file as given (for the script's comment only). */
  casePath: string;
  /** The image the script starts from: the crash state, or for P5 the state of the crash inside the recovery. */
  imageBytes: Uint8Array;
  backing: { fileName: string; bytes: Uint8Array } | null;
  recovery: IotestRecovery;
  /** P5: the id of the crash state inside the first recovery (the image holds it). */
  insideRecoveryStateId: string | null;
  /** P1 allows leaked clusters in a crashed image; everything else must check clean. */
  leaksAllowed: boolean;
  witness: IotestWitness | null;
  /** The crash's segment as the replay logged it: the file when it started and its storage operations up to the crash. */
  segment: { baseBytes: Uint8Array; storageOps: readonly StorageOp[] } | null;
  /** A damage case: the damage the script applies to the clean image before the repair (null otherwise). */
  damage: IotestDamage | null;
  /** The crash state's id and the QEMU that rebuilt it. */
  stateId: string;
  rebuiltWith: string;
}

const RECOVERIES: readonly IotestRecovery[] = ['qemu read-write open and close', 'qemu-img check -r all'];

/**
 * Replays `c` on `target` (a QEMU target) up to its crash state and plans the test.
 * @throws ExportRefusal when the case cannot be exported (not a QEMU case, no crash state, a
 *   diverged replay, a recovery a script without crashcow cannot run)
 * @throws InvalidCaseError when the case's crash does not fit its operations
 */
export async function planIotest(c: FuzzCase, target: FuzzTarget, casePath: string): Promise<IotestPlan> {
  if (c.engine.name !== 'qemu') throw new ExportRefusal(`${casePath}: only QEMU cases export as iotests (this case ran on the ${c.engine.name} engine)`);
  const damage = caseDamage(c);
  if (damage !== null) return planDamageIotest(c, target, casePath);
  if (c.crash === null) throw new ExportRefusal(`${casePath}: the case has no crash state (its failure is seen during the run), so there is no image to ship`);
  const stage = relativeStage(c.violation.stage);
  const recovery = recoveryOf(stage, casePath);
  const r = await replayToState(c, target, casePath);
  if (r.kind === 'diverged') throw new ExportRefusal(`${casePath}: the replay diverged, so the crash state does not exist on ${target.engineVersion}: ${r.reason}`);
  if (r.kind === 'damage') throw new ExportRefusal(`${casePath}: the replay ended on a clean image to damage, but the case records no damage`);
  if (r.kind === 'ended') throw new ExportRefusal(`${casePath}: the replay ended before the crash state (${r.outcome.verdict === 'fail' ? r.outcome.violation.summary : 'the run stopped'})`);
  const state = r.crash.state;
  let image = state.view().read(0, state.sizeBytes);
  let inside: string | null = null;
  if (c.violation.property === 'P5') {
    const rec = await replayRecovery(r.crash.context, state.view(), stage);
    if (rec?.inner === undefined) throw new ExportRefusal(`${casePath}: a P5 case must name the crash inside its recovery in its stage ("crash ID inside HOW, then HOW again")`);
    inside = rec.inner.state.id;
    image = rec.inner.state.view().read(0, rec.inner.state.sizeBytes);
  }
  const backingDevice = r.crash.context.backing?.device;
  return {
    case: c,
    casePath,
    imageBytes: image,
    backing: backingDevice ? { fileName: BACKING_FILE_NAME, bytes: backingDevice.read(0, backingDevice.sizeBytes) } : null,
    recovery,
    insideRecoveryStateId: inside,
    leaksAllowed: c.violation.property === 'P1',
    witness: witnessOf(c),
    damage: null,
    segment: { baseBytes: r.crash.segmentBase.read(0, r.crash.segmentBase.sizeBytes), storageOps: r.crash.storageOps },
    stateId: state.id,
    rebuiltWith: target.engineVersion,
  };
}

/**
 * The plan of a damage case: the image is the clean one its operations leave, the damage is applied
 * by the script, and the recovery is the repair the verdict names.
 */
async function planDamageIotest(c: FuzzCase, target: FuzzTarget, casePath: string): Promise<IotestPlan> {
  const how = /, after (.+)$/.exec(c.violation.stage)?.[1];
  if (how === 'crashcow check -r all') throw new ExportRefusal(`${casePath}: the failure is seen after crashcow's own repair (crashcow check -r all), which a script with only qemu-img and qemu-io cannot run`);
  const r = await replayToState(c, target, casePath);
  if (r.kind === 'diverged') throw new ExportRefusal(`${casePath}: the replay diverged, so the clean image does not exist on ${target.engineVersion}: ${r.reason}`);
  if (r.kind !== 'damage') throw new ExportRefusal(`${casePath}: the replay ended before the clean image to damage (${r.kind === 'ended' && r.outcome.verdict === 'fail' ? r.outcome.violation.summary : 'the run stopped'})`);
  const clean = r.clean.image.read(0, r.clean.image.sizeBytes);
  const backingDevice = r.clean.context.backing?.device;
  return {
    case: c,
    casePath,
    imageBytes: clean,
    backing: backingDevice ? { fileName: BACKING_FILE_NAME, bytes: backingDevice.read(0, backingDevice.sizeBytes) } : null,
    recovery: 'qemu-img check -r all',
    insideRecoveryStateId: null,
    leaksAllowed: false,
    witness: null,
    damage: planDamage(c, r.clean.image, casePath),
    segment: null,
    stateId: 'clean',
    rebuiltWith: target.engineVersion,
  };
}

/** The stage without its "crash state ID, " head: "after HOW", "crash ID inside HOW, then HOW again", "as the crash left it". */
function relativeStage(stage: string): string {
  return stage.replace(/^crash state \S+, /, '');
}

function recoveryOf(stage: string, casePath: string): IotestRecovery {
  const how = /^crash \S+ inside (.+), then (.+) again$/.exec(stage)?.[1] ?? /^after (.+)$/.exec(stage)?.[1];
  if (how === undefined) return 'none';
  const known = RECOVERIES.find((r) => r === how);
  if (known) return known;
  if (how === 'crashcow check -r all') throw new ExportRefusal(`${casePath}: the failure is seen after crashcow's own repair (crashcow check -r all), which a script with only qemu-img and qemu-io cannot run`);
  return 'none';
}

/** The recorded witness sector of a P4 (or P5 data) failure on the active image, with the allowed values hashed. */
function witnessOf(c: FuzzCase): IotestWitness | null {
  const s = c.violation.sector;
  if (s === undefined || s.view !== 'active') return null;
  const candidates = s.expected.map((value) => {
    const bytes = new Uint8Array(SECTOR_SIZE_BYTES);
    materializeValue(value, s.sectorIndex, c.contentSeed, bytes);
    return { label: describeValue(value), sha256Hex: createHash('sha256').update(bytes).digest('hex'), zeros: value === ZERO_VALUE };
  });
  return { guestOffsetBytes: s.sectorIndex * SECTOR_SIZE_BYTES, sectorIndex: s.sectorIndex, candidates: candidates.map(({ label, sha256Hex }) => ({ label, sha256Hex })) };
}
