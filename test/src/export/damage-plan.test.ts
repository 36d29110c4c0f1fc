/**
 * planDamage: the damage a case's exported test applies, and the refusals for an image that is not
 * the one the case damaged and for a failure about guest data, which the script does not read.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planDamage } from '../../../src/export/damage-plan.js';
import { isExportRefusal } from '../../../src/export/export-refusal.js';
import type { FuzzCase } from '../../../src/fuzz/case/fuzz-case.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';

const corpus = (name: string): FuzzCase => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../corpus/${name}.json`, import.meta.url)), 'utf8'));

/** The damaged byte of qemu-damage-copied-on-zero-cluster (COPIED, bit 7, of an L2 entry). */
const DAMAGED_OFFSET_BYTES = 2584;

describe('planDamage', () => {
  function refusal(c2: FuzzCase, image: Uint8Array): string {
    try {
      planDamage(c2, MemoryDevice.from(image), 'case.json');
    } catch (err) {
      if (isExportRefusal(err)) return err.message;
      throw err;
    }
    throw new Error('no refusal');
  }

  it('refuses an image that does not hold the damage\'s before bytes', () => {
    const image = new Uint8Array(4096);
    image[DAMAGED_OFFSET_BYTES] = 0x80;
    expect(refusal(corpus('qemu-damage-copied-on-zero-cluster'), image)).toMatch(/does not hold the bytes the damage records as before it/);
  });

  it('refuses a failure about guest data after the repair (P7-3, P7-4), which the script does not read', () => {
    const c2 = corpus('qemu-damage-copied-on-zero-cluster');
    c2.violation.rules = ['P7-3'];
    expect(refusal(c2, new Uint8Array(4096))).toMatch(/about what the guest reads after the repair/);
  });

  it('gives the patches as bytes', () => {
    const d = planDamage(corpus('qemu-damage-copied-on-zero-cluster'), MemoryDevice.from(new Uint8Array(4096)), 'x');
    expect(d.patches.map((p) => [p.offsetBytes, Array.from(p.before), Array.from(p.after)])).toEqual([[DAMAGED_OFFSET_BYTES, [0], [0x80]]]);
    expect(d.fileSizeBytes).toBeNull();
  });

  it('looks at the damaged bits only for a P7-1 bit flip', () => {
    expect(planDamage(corpus('qemu-damage-copied-on-zero-cluster'), MemoryDevice.from(new Uint8Array(4096)), 'x').checkBits).toBe(true);
    const image = new Uint8Array(4096);
    image[2048] = 0x80;
    expect(planDamage(corpus('qemu-damage-l2-entry-reserved-bit'), MemoryDevice.from(image), 'x').checkBits).toBe(false);
  });
});
