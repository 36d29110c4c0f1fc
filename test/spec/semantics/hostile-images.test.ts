/**
 * Hostile input: qemu-made images with random bytes overwritten in the header, the L1 table and
 * the L2 tables (including compressed descriptors and subcluster bitmaps). Opening, mapping and
 * reading must end in a result or a FormatError naming a rule: never another exception.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { isFormatError } from '../../../spec/format/format-error.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { GuestView } from '../../../spec/semantics/guest-view.js';
import { mapExtents } from '../../../spec/semantics/map-extents.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { memoryChain } from './memory-chain.js';

const tmp = tempDir('crashcow-hostile-');
afterAll(() => tmp.cleanup());

/** Reads at most this much of a (possibly huge, mutated) guest disk per case. */
const READ_BYTES_MAX = 4 * 1024 * 1024;

const seeds: { name: string; bytes: Uint8Array; hot: number[] }[] = [];

beforeAll(async () => {
  const writes = ['write -P 0x11 0 70000', 'write -z 128k 64k', 'write -P 0x22 1M 5000', 'write -c -P 0x33 2M 64k'];
  for (const [name, options] of [['standard', 'cluster_size=4k'], ['extended', 'extended_l2=on'], ['zstd', 'compression_type=zstd']]) {
    const path = tmp.path(`${name}.qcow2`);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', options, path, '3M']);
    await qemuIo(path, name === 'extended' ? writes.slice(0, 3) : writes);
    const bytes = new Uint8Array(readFileSync(path));
    const meta = readImageMeta(bytesSource(bytes));
    const l1 = Number(meta.header.l1TableOffset);
    const l2 = Number(new DataView(bytes.buffer).getBigUint64(l1) & 0x00fffffffffffe00n);
    seeds.push({ name, bytes, hot: [0, l1, l2] }); // header, L1, first L2 table
  }
});

function exercise(bytes: Uint8Array): void {
  const top = memoryChain([{ bytes, format: 'qcow2' }]);
  let extents = 0;
  for (const _ of mapExtents(top)) if (++extents > 100000) break;
  const view = new GuestView(top);
  view.read(0, Math.min(view.sizeBytes, READ_BYTES_MAX));
}

describe('mutated images', () => {
  it('end in a result or a FormatError', () => {
    const mutation = fc.record({
      seed: fc.nat(seeds.length - 1),
      region: fc.nat(2),
      edits: fc.array(fc.record({ at: fc.nat(4095), value: fc.nat(255) }), { minLength: 1, maxLength: 8 }),
    });
    const outcomes = { read: 0, formatError: 0 };
    fc.assert(
      fc.property(mutation, ({ seed, region, edits }) => {
        const base = seeds[seed];
        const bytes = base.bytes.slice();
        for (const e of edits) {
          const at = base.hot[region] + (region === 0 ? e.at % 112 : e.at);
          if (at < bytes.length) bytes[at] = e.value;
        }
        try {
          exercise(bytes);
          outcomes.read++;
        } catch (err) {
          expect(isFormatError(err), `${base.name}: ${(err as Error).stack}`).toBe(true);
          outcomes.formatError++;
        }
      }),
      { seed: 424242, numRuns: 400 },
    );
    // Both ends are reached: mutations that still read, and mutations that break a rule.
    expect(outcomes.read).toBeGreaterThan(40);
    expect(outcomes.formatError).toBeGreaterThan(40);
  });
});
