/**
 * The damage nemesis: from one seed, the damages a consistent image suffers (each judged on its
 * own copy of the image): bit flips and zeroed sectors aimed at the metadata structures the spec
 * finds (damage-targets.ts), and lost and misdirected writes taken from the storage writes of the
 * run's last segment (write-damage.ts). It judges nothing; every choice derives from the seed.
 */
import { ROLE_NAMES, type RoleName } from '../../../spec/layout/cluster-role.js';
import { clusterRoles } from '../../../spec/layout/cluster-roles.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { Prng } from '../../storage/prng.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { damageTargets, type DamageTarget } from './damage-targets.js';
import type { Damage, DamageKind } from './damage.js';
import { bitFlip, zeroedSector } from './structure-damage.js';
import { damageableWrites, lostWrite, misdirectedWrite, type Segment } from './write-damage.js';

/** Relative weights of the damage kinds. */
const KIND_WEIGHTS: ReadonlyArray<[DamageKind, number]> = [
  ['bit-flip', 4],
  ['zeroed-sector', 2],
  ['lost-write', 2],
  ['misdirected-write', 1],
];

/** Relative weights of the structures bit flips and zeroed sectors are aimed at. */
const ROLE_WEIGHTS: Partial<Record<RoleName, number>> = { header: 1, l1: 2, l2: 3, 'refcount-table': 2, 'refcount-block': 3, 'snapshot-table': 2 };

/** How often a lost or misdirected write is a metadata write, when the segment has one. */
const METADATA_WRITE_CHANCE = 0.6;

/** Draws per damage asked for before giving up (a draw that changes nothing is drawn again). */
const ATTEMPTS_PER_DAMAGE = 8;

/** The random stream of the damage nemesis (Prng's stream argument): independent of the workload's. */
const DAMAGE_STREAM = 0xda3a6e;

/**
 * Up to `count` different damages of `image` (a consistent image: the segment's operations applied
 * to its base), drawn from `seed`.
 */
export function drawDamages(image: BlockDevice, seg: Segment, seed: number, count: number): Damage[] {
  const rng = new Prng(seed, DAMAGE_STREAM);
  const source = toByteSource(image);
  const targets = damageTargets(source);
  const roles = clusterRoles(source);
  const roleAt = (offsetBytes: number): RoleName => {
    if (roles === null) return 'data';
    const k = Math.floor(offsetBytes / roles.clusterSizeBytes);
    return k < roles.roles.length ? ROLE_NAMES[roles.roles[k]] : 'free';
  };
  const writes = damageableWrites(seg);
  const metadataWrites = writes.filter((i) => {
    const r = roleAt(seg.ops[i].offsetBytes);
    return r !== 'data' && r !== 'free' && r !== 'leaked';
  });
  const out: Damage[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; out.length < count && attempt < count * ATTEMPTS_PER_DAMAGE; attempt++) {
    const kind = KIND_WEIGHTS[rng.weighted(KIND_WEIGHTS.map(([, w]) => w))][0];
    let d: Damage | null;
    if (kind === 'bit-flip' || kind === 'zeroed-sector') {
      const t = pickTarget(targets, rng);
      d = t === null ? null : kind === 'bit-flip' ? bitFlip(source, t, rng) : zeroedSector(source, t, rng);
    } else {
      if (writes.length === 0) continue;
      const pool = metadataWrites.length > 0 && rng.chance(METADATA_WRITE_CHANCE) ? metadataWrites : writes;
      const i = rng.pick(pool);
      const op = seg.ops[i];
      d = kind === 'lost-write' ? lostWrite(image, seg, i, roleAt(op.offsetBytes)) : misdirectedWrite(image, seg, i, misdirectedOffset(op.offsetBytes, image.sizeBytes, rng), roleAt(op.offsetBytes));
    }
    if (d === null || seen.has(d.where)) continue;
    seen.add(d.where);
    out.push(d);
  }
  return out;
}

/** A structure, its role drawn by ROLE_WEIGHTS among the roles the image has. */
function pickTarget(targets: readonly DamageTarget[], rng: Prng): DamageTarget | null {
  const roles = [...new Set(targets.map((t) => t.role))];
  if (roles.length === 0) return null;
  const role = roles[rng.weighted(roles.map((r) => ROLE_WEIGHTS[r] ?? 0))];
  return rng.pick(targets.filter((t) => t.role === role));
}

/** `offsetBytes` with one bit of its 512-byte sector number flipped, inside a file of `fileSizeBytes` when possible. */
function misdirectedOffset(offsetBytes: number, fileSizeBytes: number, rng: Prng): number {
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(fileSizeBytes, 1024))) - 9);
  const step = 2 ** (9 + rng.int(bits));
  return Math.floor(offsetBytes / step) % 2 === 1 ? offsetBytes - step : offsetBytes + step;
}
