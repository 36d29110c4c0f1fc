/**
 * Untrusted images: every malformed image is a FormatError naming the rule (or an EngineError for
 * what crashcow does not implement), never a crash, a hang or a huge allocation. Images are made by
 * qemu-img / qemu-io, then damaged byte by byte.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCompressedDescriptor } from '../../../../spec/format/compressed-descriptor.js';
import { isFormatError } from '../../../../spec/format/format-error.js';
import { l1EntryL2OffsetBytes } from '../../../../spec/format/l1-entry.js';
import { TableView } from '../../../../spec/format/table-view.js';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import { isEngineError } from '../../../../src/engine/engine-error.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { qemuImgOk, qemuIo, tempDir } from '../../../helpers/qemu.js';

const t = tempDir('crashcow-malformed-');
afterAll(() => t.cleanup());
const engine = new BuiltinEngine();
let pristine: Uint8Array;
let compressed: Uint8Array;
let v2: Uint8Array;

beforeAll(async () => {
  await qemuImgOk(['create', '-q', '-f', 'qcow2', t.path('a.qcow2'), '1M']);
  await qemuIo(t.path('a.qcow2'), ['write -P 1 0 64k', 'write -P 2 512k 4k']);
  await qemuImgOk(['snapshot', '-c', 'snap', t.path('a.qcow2')]);
  pristine = new Uint8Array(readFileSync(t.path('a.qcow2')));
  await qemuImgOk(['create', '-q', '-f', 'qcow2', t.path('c.qcow2'), '1M']);
  await qemuIo(t.path('c.qcow2'), ['write -c -P 3 0 64k']);
  compressed = new Uint8Array(readFileSync(t.path('c.qcow2')));
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'compat=0.10', t.path('v2.qcow2'), '1M']);
  await qemuIo(t.path('v2.qcow2'), ['write -P 4 0 64k']);
  v2 = new Uint8Array(readFileSync(t.path('v2.qcow2')));
});

/** The 8-byte table entry at byte `at` of `bytes`, as a one-entry table. */
function entryAt(bytes: Uint8Array, at: number): TableView {
  return new TableView(bytes.subarray(at, at + 8));
}

/** Offset of the L2 table the L1 entry at byte `at` points at. */
function l2OffsetAt(bytes: Uint8Array, at: number): number {
  const e = entryAt(bytes, at);
  return l1EntryL2OffsetBytes(e.hi(0), e.lo(0));
}

/** Patches a big-endian field of `bytes` (a copy) and returns a device holding it. */
function patched(bytes: Uint8Array, offset: number, value: bigint, width: 4 | 8): MemoryDevice {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  if (width === 4) view.setUint32(offset, Number(value));
  else view.setBigUint64(offset, value);
  return MemoryDevice.from(copy);
}

/** Opens and reads the whole image; returns the rule of the FormatError it must throw. */
async function ruleOf(device: MemoryDevice, readOnly = true): Promise<string> {
  try {
    const image = await engine.open({ device }, { readOnly });
    await image.read(0, image.virtualSizeBytes);
    await image.close();
  } catch (err) {
    if (isFormatError(err)) return err.rule;
    throw err;
  }
  return 'no error';
}

const u64At = (bytes: Uint8Array, offset: number) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);

describe('malformed images', () => {
  it('names the rule for damaged header fields', async () => {
    expect(await ruleOf(patched(pristine, 0, 0x12345678n, 4))).toBe('HDR-1');
    expect(await ruleOf(patched(pristine, 72, 1n << 5n, 8))).toBe('FEAT-6');
    expect(await ruleOf(patched(pristine, 72, 1n << 1n, 8), false)).toBe('FEAT-2');
    expect(await ruleOf(patched(pristine, 36, 0x10000000n, 4))).toBe('HDR-8');
    expect(await ruleOf(patched(pristine, 40, u64At(pristine, 40) + 512n, 8))).toBe('HDR-7');
    expect(await ruleOf(patched(pristine, 56, 0n, 4))).toBe('HDR-9');
    expect(await ruleOf(patched(pristine, 64, u64At(pristine, 64) + 8n, 8))).toBe('HDR-7');
  });

  it('names the rule for damaged tables and data', async () => {
    const l1 = Number(u64At(pristine, 40));
    expect(await ruleOf(patched(pristine, l1, u64At(pristine, l1) + 512n, 8))).toBe('L1-2');
    const l2 = l2OffsetAt(pristine, l1);
    expect(await ruleOf(patched(pristine, l2, u64At(pristine, l2) + 512n, 8))).toBe('L2-3');
    const v2l1 = Number(u64At(v2, 40));
    const v2l2 = l2OffsetAt(v2, v2l1);
    expect(await ruleOf(patched(v2, v2l2, 1n, 8))).toBe('L2-6');
    const cl1 = Number(u64At(compressed, 40));
    const cl2 = l2OffsetAt(compressed, cl1);
    const stream = decodeCompressedDescriptor(entryAt(compressed, cl2).hi(0), entryAt(compressed, cl2).lo(0), 16).hostOffsetBytes;
    expect(await ruleOf(patched(compressed, stream, 0xffffffffffffffffn, 8))).toBe('CMP-4');
  });

  it('never throws anything but FormatError or EngineError on random byte damage, reading or writing', async () => {
    const tables = [0, Number(u64At(pristine, 40)), Number(u64At(pristine, 48)), Number(u64At(pristine, 64))];
    const spot = fc.oneof(
      fc.tuple(fc.constantFrom(...tables), fc.nat(511)).map(([base, at]) => base + at),
      fc.nat(pristine.length - 1),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(spot, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.boolean(), async (flips, writable) => {
        const copy = pristine.slice();
        for (const [at, value] of flips) copy[at] = value;
        try {
          const image = await engine.open({ device: MemoryDevice.from(copy) }, { readOnly: !writable });
          if (image.virtualSizeBytes <= 64 << 20) await image.read(0, image.virtualSizeBytes);
          await image.snapshotList();
          if (writable) {
            await image.write(4096, new Uint8Array(70000).fill(9));
            await image.discard(0, 65536);
            await image.snapshotCreate('x');
            await image.snapshotApply('snap');
            await image.resize(image.virtualSizeBytes + 65536);
          }
          await image.close();
        } catch (err) {
          if (!isFormatError(err) && !isEngineError(err)) throw err;
        }
      }),
      { numRuns: 250, seed: 0xbad },
    );
  });
});
