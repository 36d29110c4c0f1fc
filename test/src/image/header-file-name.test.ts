import { describe, expect, it } from 'vitest';
import { isImageError } from '../../../src/image/image-error.js';
import { resolveHeaderFileName } from '../../../src/image/header-file-name.js';

describe('resolveHeaderFileName', () => {
  it('resolves a relative name against the directory of the image that names it', () => {
    expect(resolveHeaderFileName('/vm/disks/top.qcow2', 'base.qcow2', 'backing file')).toBe('/vm/disks/base.qcow2');
    expect(resolveHeaderFileName('/vm/disks/top.qcow2', '../b/base.raw', 'backing file')).toBe('/vm/disks/../b/base.raw');
    expect(resolveHeaderFileName('top.qcow2', 'base.qcow2', 'backing file')).toBe('base.qcow2');
  });

  it('keeps an absolute name, and a colon after the first slash', () => {
    expect(resolveHeaderFileName('/vm/top.qcow2', '/srv/base.qcow2', 'backing file')).toBe('/srv/base.qcow2');
    expect(resolveHeaderFileName('/vm/top.qcow2', 'dir/a:b.img', 'external data file')).toBe('/vm/dir/a:b.img');
  });

  it.each(['json:{"file.driver":"nbd"}', 'nbd:localhost:10809', 'http://example.com/x', 'file:base.img', 'a:b', 'base\0.img'])(
    'refuses %j with an unsafe-name ImageError naming the role',
    (name) => {
      let caught: unknown;
      try {
        resolveHeaderFileName('/vm/top.qcow2', name, 'external data file');
      } catch (err) {
        caught = err;
      }
      expect(isImageError(caught) && caught.reason).toBe('unsafe-name');
      expect((caught as Error).message).toContain('external data file name');
      expect((caught as Error).message).not.toContain('\0');
    },
  );
});
