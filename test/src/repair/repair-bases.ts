/**
 * Base images for the repair tests, made by real qemu-img / qemu-io at test time: a plain image
 * with data in three places, variants with other options, the same with snapshots, and a
 * lazy-refcount image left dirty by a killed qemu-io. Each base is made once per test file and
 * copied for every case that damages it (`baseCopy`). Every disk is 16 MiB.
 */
import { copyFileSync } from 'node:fs';
import { qemuImgOk, qemuIo } from '../../helpers/qemu.js';

export interface BaseImage {
  /** Names the base; equal keys are the same image. */
  key: string;
  make: (p: string) => Promise<void>;
}

async function create(p: string, opts: string): Promise<void> {
  await qemuImgOk(['create', '-q', '-f', 'qcow2', ...(opts ? ['-o', opts] : []), p, '16M']);
}

/** Writes 256 KiB at 0, 64 KiB at 1 MiB and 128 KiB at 4 MiB, each with its own pattern. */
export function plain(opts = ''): BaseImage {
  return {
    key: `plain:${opts}`,
    make: async (p) => {
      await create(p, opts);
      await qemuIo(p, ['write -P 1 0 256k', 'write -P 2 1M 64k', 'write -P 4 4M 128k']);
    },
  };
}

/** plain(), snapshot s1, overwrite 1 MiB, snapshot s2, overwrite 0. */
export const snapshots: BaseImage = {
  key: 'snapshots',
  make: async (p) => {
    await plain().make(p);
    await qemuImgOk(['snapshot', '-c', 's1', p]);
    await qemuIo(p, ['write -P 3 1M 64k']);
    await qemuImgOk(['snapshot', '-c', 's2', p]);
    await qemuIo(p, ['write -P 5 0 64k']);
  },
};

/** plain() and one snapshot, nothing written since: every L2 table is shared. */
export const sharedTables: BaseImage = {
  key: 'shared',
  make: async (p) => {
    await plain().make(p);
    await qemuImgOk(['snapshot', '-c', 's1', p]);
  },
};

/**
 * A lazy-refcount image whose qemu-io was killed after writing: dirty, with refcounts that lag the
 * tables (LAZY-2/LAZY-3), the state a crash leaves for repair.
 */
export const crashedLazy: BaseImage = {
  key: 'crashed-lazy',
  make: async (p) => {
    await plain('lazy_refcounts=on').make(p);
    await qemuIo(p, ['write -P 8 12M 64k', 'write -P 9 64k 64k', 'sigraise 9']).catch(() => undefined);
  },
};

/** An image keeping its data in an external data file (`<path>.data`). */
export const dataFile: BaseImage = {
  key: 'data-file',
  make: async (p) => {
    await create(p, `data_file=${p}.data`);
    await qemuIo(p, ['write -P 1 0 128k']);
  },
};

const made = new Map<string, Promise<string>>();

/** Copies base `b` (made once, under `dir`) to `p`; returns the base's own path. */
export async function baseCopy(b: BaseImage, dir: (name: string) => string, p: string): Promise<string> {
  let path = made.get(b.key);
  if (path === undefined) {
    const at = dir(`base-${made.size}.qcow2`);
    made.set(b.key, (path = b.make(at).then(() => at)));
  }
  const from = await path;
  copyFileSync(from, p);
  return from;
}
