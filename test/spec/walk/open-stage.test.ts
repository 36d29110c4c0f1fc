/**
 * The open stage against real qemu-img, on images qemu-img made and the test then poked (the
 * extension cases of QEMU's input validation tests): where the extension area ends (the backing
 * file name offset, or the end of cluster 0) the open stage refuses exactly what qemu-img refuses
 * with "Header extension too large" (EXT-1 check errors), and counts as corruptions the breaches
 * of the spec that qemu-img lets through (padding under the backing file name, a name inside the
 * header).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { extensionTypes } from '../../../spec/format/header-extensions.js';
import { FindingSink } from '../../../spec/walk/finding-sink.js';
import { openStage } from '../../../spec/walk/open-stage.js';
import { buildOrSkip, qemuBuilds } from '../../helpers/qemu-builds.js';
import { qemuTools, tempDir, type QemuTools } from '../../helpers/qemu.js';

interface Poke {
  offsetBytes: number;
  u32?: number;
  u64?: bigint;
  text?: string;
}

/** `bytes` with each poke written (big-endian); pokes at negative offsets count from the extension area's start. */
function poked(bytes: Uint8Array, pokes: Poke[]): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const extStart = view.getUint32(100);
  for (const p of pokes) {
    const at = p.offsetBytes < 0 ? extStart + (-p.offsetBytes - 1) : p.offsetBytes;
    if (p.u32 !== undefined) view.setUint32(at, p.u32);
    if (p.u64 !== undefined) view.setBigUint64(at, p.u64);
    if (p.text !== undefined) out.set(new TextEncoder().encode(p.text), at);
  }
  return out;
}

/** A poke at `delta` bytes past the start of the extension area. */
const ext = (delta: number): number => -(delta + 1);
const BACKING_OFFSET = 8;
const BACKING_SIZE = 16;

/** The extension-area end of the made image, in bytes past the extension start, as a poke of backing_file_offset. */
const backingAt = (bytes: Uint8Array, delta: number): Poke => ({ offsetBytes: BACKING_OFFSET, u64: BigInt(new DataView(bytes.buffer).getUint32(100) + delta) });

const cases: Array<{ name: string; pokes: (b: Uint8Array) => Poke[]; qemuRefuses: boolean; expected: string[] }> = [
  { name: 'backing file name offset inside the first record\'s type and length', pokes: (b) => [backingAt(b, 4)], qemuRefuses: true, expected: ['EXT-1/check-error'] },
  { name: 'backing file name offset inside the first record\'s data', pokes: (b) => [backingAt(b, 12)], qemuRefuses: true, expected: ['EXT-1/check-error'] },
  { name: 'backing file name offset right at the extension start (no records)', pokes: (b) => [backingAt(b, 0)], qemuRefuses: false, expected: [] },
  {
    name: 'huge unknown extension without a backing file (runs past the end of cluster 0)',
    pokes: () => [{ offsetBytes: ext(0), u32: 0x12345678 }, { offsetBytes: ext(4), u32: 0x7fffffff }],
    qemuRefuses: true,
    expected: ['EXT-1/check-error'],
  },
  {
    name: 'a 5-byte backing format whose padding the backing file name overlaps',
    pokes: (b) => [
      { offsetBytes: ext(0), u32: extensionTypes.backingFormat },
      { offsetBytes: ext(4), u32: 5 },
      { offsetBytes: ext(8), text: 'qcow2' },
      backingAt(b, 14),
      { offsetBytes: BACKING_SIZE, u32: 2 },
    ],
    qemuRefuses: false,
    expected: ['EXT-1/corruption'],
  },
  { name: 'a backing file name inside the header fields', pokes: () => [{ offsetBytes: BACKING_OFFSET, u64: 96n }, { offsetBytes: BACKING_SIZE, u32: 4 }], qemuRefuses: false, expected: ['HDR-5/corruption'] },
];

describe.each(qemuBuilds())('open stage against qemu-img of $label: the extension area', (b) => {
  const tmp = tempDir('crashcow-open-stage-');
  let qemu: QemuTools | null = null;
  let made = new Uint8Array(0);
  afterAll(() => tmp.cleanup());
  beforeAll(async () => {
    if ('missing' in b) return;
    qemu = qemuTools(b.dir);
    await qemu.imgOk(['create', '-q', '-f', 'qcow2', tmp.path('made.qcow2'), '64M']);
    made = new Uint8Array(readFileSync(tmp.path('made.qcow2')));
  });

  it.for(cases)('$name', async ({ name, pokes, qemuRefuses, expected }, ctx) => {
    if (buildOrSkip(b, (reason) => ctx.skip(reason)) === null || qemu === null) return;
    const bytes = poked(made, pokes(made));
    const path = tmp.path(`${name.replace(/\W+/g, '-')}.qcow2`);
    writeFileSync(path, bytes);
    const info = await qemu.img(['info', '-f', 'qcow2', path]);
    const sink = new FindingSink();
    const meta = openStage(bytesSource(bytes), sink);
    const found = sink.findings.filter((f) => f.kind !== 'info').map((f) => `${f.rule}/${f.kind}`);
    expect(found).toEqual(expected);
    expect(meta === null).toBe(qemuRefuses);
    expect(info.exitCode !== 0).toBe(qemuRefuses);
    if (qemuRefuses) expect(info.stderr).toContain('Header extension too large');
  });
});
