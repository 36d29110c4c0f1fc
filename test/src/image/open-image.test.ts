/**
 * Opening image chains from files: backing files resolved like qemu-img (relative to the naming
 * image's directory), format from the extension or probed, external data files, and the refusals:
 * --no-follow, protocol and json: names (cf. CVE-2024-4467), cycles, over-deep chains, missing files.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { extensionTypes } from '../../../spec/format/header-extensions.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { mapExtents } from '../../../spec/semantics/map-extents.js';
import { isImageError, type ImageErrorReason } from '../../../src/image/image-error.js';
import { BACKING_CHAIN_DEPTH_MAX, openImage } from '../../../src/image/open-image.js';
import { qemuImg, qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-open-');
afterAll(() => tmp.cleanup());

/** Reads the whole guest disk of `path` through openImage. */
function guestBytes(path: string, noFollow = false): Uint8Array {
  const image = openImage(path, { noFollow });
  try {
    return image.view.read(0, image.view.sizeBytes);
  } finally {
    image.close();
  }
}

function expectImageError(fn: () => unknown, reason: ImageErrorReason, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isImageError(caught), String(caught)).toBe(true);
  expect((caught as { reason: string }).reason).toBe(reason);
  expect((caught as Error).message).toMatch(message);
}

/** Renames the backing-format extension to an unknown type, so the backing format must be probed. */
function dropBackingFormat(path: string): void {
  const meta = readImageMeta(bytesSource(new Uint8Array(readFileSync(path))));
  const ext = meta.extensions.all.find((e) => e.type === extensionTypes.backingFormat)!;
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([0x7e, 0x57, 0x00, 0x01]), 0, 4, ext.offsetBytes);
  closeSync(fd);
}

async function overlay(name: string, backing: string, format: string, unsafe = false): Promise<string> {
  const path = tmp.path(name);
  await qemuImgOk(['create', '-q', '-f', 'qcow2', ...(unsafe ? ['-u'] : []), '-b', backing, '-F', format, path, '1M']);
  return path;
}

describe('backing files', () => {
  it('resolves a relative backing name against the directory of the image naming it', async () => {
    mkdirSync(tmp.path('sub'));
    const base = tmp.path('sub/base.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', base, '1M']);
    await qemuIo(base, ['write -P 0x5a 4096 1000']);
    const top = tmp.path('sub/top.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', top], tmp.path('sub'));
    expect(readImageMeta(bytesSource(new Uint8Array(readFileSync(top)))).backingFileName).toBe('base.qcow2');
    const guest = guestBytes(top);
    expect(guest[4096]).toBe(0x5a);
    expect(guest[4096 + 999]).toBe(0x5a);
    expect(guest[4096 + 1000]).toBe(0);
  });

  it('probes the backing format when the header does not name it: qcow2 by magic, else raw', async () => {
    const raw = tmp.path('probe.raw');
    await qemuImgOk(['create', '-q', '-f', 'raw', raw, '1M']);
    await qemuIo(raw, ['write -P 0x21 0 512'], { format: 'raw' });
    const overRaw = await overlay('probe-raw.qcow2', raw, 'raw');
    const q = tmp.path('probe.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', q, '1M']);
    await qemuIo(q, ['write -P 0x22 0 512']);
    const overQcow2 = await overlay('probe-qcow2.qcow2', q, 'qcow2');
    dropBackingFormat(overRaw);
    dropBackingFormat(overQcow2);
    expect(readImageMeta(bytesSource(new Uint8Array(readFileSync(overRaw)))).extensions.backingFormat).toBeUndefined();
    expect(guestBytes(overRaw)[0]).toBe(0x21);
    expect(guestBytes(overQcow2)[0]).toBe(0x22); // read as raw, byte 0 would be the qcow2 magic 0x51
  });

  it('names the resolved path of a missing backing file', async () => {
    const top = await overlay('orphan.qcow2', 'no-such-base.qcow2', 'qcow2', true);
    expectImageError(() => guestBytes(top), 'missing-file', /backing file "no-such-base.qcow2" at .*no-such-base\.qcow2 \(ENOENT\)/);
  });

  it('refuses a backing format it does not read', async () => {
    const top = await overlay('vmdk-backed.qcow2', 'disk.vmdk', 'vmdk', true);
    await qemuImgOk(['create', '-q', '-f', 'vmdk', tmp.path('disk.vmdk'), '1M']);
    expectImageError(() => guestBytes(top), 'unsupported-format', /format "vmdk"/);
  });

  it('detects an image that names itself, and a two-image cycle', async () => {
    const self = tmp.path('self.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', self, '1M']);
    await qemuImgOk(['rebase', '-u', '-b', self, '-F', 'qcow2', self]);
    expectImageError(() => guestBytes(self), 'cycle', /already in the chain/);
    const a = tmp.path('cycle-a.qcow2');
    const b = await overlay('cycle-b.qcow2', a, 'qcow2', true);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-u', '-b', b, '-F', 'qcow2', a, '1M']);
    expectImageError(() => guestBytes(a), 'cycle', /cycle-a\.qcow2.*already in the chain/);
  });

  it(`stops at ${BACKING_CHAIN_DEPTH_MAX} backing levels and reads a chain that fits`, async () => {
    mkdirSync(tmp.path('deep'));
    const name = (i: number) => `l${String(i).padStart(3, '0')}.qcow2`;
    await qemuImgOk(['create', '-q', '-f', 'qcow2', tmp.path(`deep/${name(0)}`), '1M']);
    await qemuIo(tmp.path(`deep/${name(0)}`), ['write -P 0x3c 1000 10']);
    // One overlay made by qemu-img, copied with the (same-length) backing name rewritten per level.
    const template = tmp.path('deep/template.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-u', '-b', name(0), '-F', 'qcow2', template, '1M']);
    const bytes = readFileSync(template);
    const nameOffset = Number(bytes.readBigUInt64BE(8));
    for (let i = 1; i <= BACKING_CHAIN_DEPTH_MAX + 1; i++) {
      bytes.write(name(i - 1), nameOffset, 'latin1');
      writeFileSync(tmp.path(`deep/${name(i)}`), bytes);
    }
    expect(guestBytes(tmp.path(`deep/${name(BACKING_CHAIN_DEPTH_MAX)}`))[1000]).toBe(0x3c);
    expectImageError(() => guestBytes(tmp.path(`deep/${name(BACKING_CHAIN_DEPTH_MAX + 1)}`)), 'chain-too-deep', /deeper than 64/);
  });
});

describe('file names from the header are never interpreted (MUT-22)', () => {
  it.each([
    ['nbd', 'nbd:localhost:10809'],
    ['http', 'http://example.invalid/disk.img'],
    ['json', 'json:{"file":{"driver":"file","filename":"/etc/passwd"}}'],
    ['file protocol', 'file:/etc/passwd'],
  ])('refuses a %s backing name', async (_label, name) => {
    const top = await overlay(`proto-${_label.replace(' ', '-')}.qcow2`, name, 'raw', true);
    expectImageError(() => guestBytes(top), 'unsafe-name', /protocol or json: specification/);
  });

  it('refuses a protocol data file name', async () => {
    const path = tmp.path('proto-data.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', `data_file=${tmp.path('proto-data.raw')}`, path, '1M']);
    await qemuIo(path, ['write -P 0x44 0 4096']);
    await qemuImgOk(['amend', '-q', '-o', 'data_file=nbd:localhost:1', path]);
    expectImageError(() => guestBytes(path), 'unsafe-name', /external data file name "nbd:localhost:1"/);
  });
});

describe('--no-follow', () => {
  it('fails a read that needs the backing file, naming the file and the option', async () => {
    const base = tmp.path('nf-base.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', base, '1M']);
    const top = await overlay('nf-top.qcow2', base, 'qcow2');
    await qemuIo(top, ['write -P 0x61 0 64k']);
    const image = openImage(top, { noFollow: true });
    try {
      expect(image.view.read(0, 65536).every((b) => b === 0x61)).toBe(true);
      expectImageError(() => image.view.read(65536, 1), 'no-follow', /backing file "\/.*nf-base\.qcow2".*--no-follow/);
    } finally {
      image.close();
    }
  });

  it('maps an image with an external data file without opening it, but refuses to read it', async () => {
    const path = tmp.path('nf-data.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', `data_file=${tmp.path('nf-data.raw')}`, path, '1M']);
    await qemuIo(path, ['write -P 0x62 0 4096']);
    const image = openImage(path, { noFollow: true });
    try {
      const extents = [...mapExtents(image.top)];
      expect(extents[0]).toMatchObject({ start: 0, data: true, offset: 0 });
      expectImageError(() => image.view.read(0, 1), 'no-follow', /external data file ".*nf-data\.raw".*--no-follow/);
    } finally {
      image.close();
    }
  });
});

describe('external data files', () => {
  it('resolves a relative data file name against the image directory (qemu-img 7.2 uses its cwd instead)', async () => {
    mkdirSync(tmp.path('dsub'));
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'data_file=d.raw', 'img.qcow2', '1M'], tmp.path('dsub'));
    await qemuIo('img.qcow2', ['write -P 0x63 8192 100'], { cwd: tmp.path('dsub') });
    const guest = guestBytes(tmp.path('dsub/img.qcow2'));
    expect(guest[8192]).toBe(0x63);
    expect(guest[8192 + 100]).toBe(0);
    // The same image from another directory: qemu-img looks for d.raw in its working directory.
    const fromParent = await qemuImg(['map', 'dsub/img.qcow2'], tmp.dir);
    expect(fromParent.exitCode).toBe(1);
    expect(fromParent.stderr).toMatch(/Could not open 'd\.raw'/);
  });
});
