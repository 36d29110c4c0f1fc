/**
 * openImage: a qcow2 image file and what it names (backing chain, external data file) as a
 * GuestView. Takes the path the user gave; gives the top Qcow2Layer, its ImageMeta and the view.
 * Backing and data files are opened lazily, when a read or map first needs them, and resolved like
 * qemu-img resolves backing files: relative to the directory of the image that names them. The
 * backing format comes from the backing-format extension, else from probing (qcow2 magic or raw).
 *
 * It must never interpret a header name as anything but a plain file (see header-file-name.ts),
 * and with `noFollow` it opens no file named in a header at all: the read that needs one fails
 * with an ImageError naming the file and the option.
 */
import { realpathSync } from 'node:fs';
import { readPadded } from '../../spec/format/byte-source.js';
import { readImageMeta, type ImageMeta } from '../../spec/format/image-meta.js';
import { QCOW2_MAGIC } from '../../spec/format/header.js';
import { GuestView } from '../../spec/semantics/guest-view.js';
import type { GuestLayer, HostFile } from '../../spec/semantics/layer.js';
import { Qcow2Layer } from '../../spec/semantics/qcow2-layer.js';
import { RawLayer } from '../../spec/semantics/raw-layer.js';
import { resolveHeaderFileName, type HeaderFileRole } from './header-file-name.js';
import { openHostFile } from './host-file.js';
import { ImageError } from './image-error.js';

/** CRASHCOW: longest backing chain followed below the top image (a guard against runaway chains). */
export const BACKING_CHAIN_DEPTH_MAX = 64;

interface OpenImageOptions {
  /** Refuse to open any file whose name comes from an image header. */
  noFollow?: boolean;
  /** Budget for cached L2 tables per image, in bytes. */
  l2CacheBytes?: number;
}

export interface OpenedImage {
  path: string;
  meta: ImageMeta;
  top: Qcow2Layer;
  view: GuestView;
  /** Closes every file opened so far (the image and any backing or data files). */
  close(): void;
}

interface ChainContext {
  options: OpenImageOptions;
  closers: (() => void)[];
}

/**
 * Opens the qcow2 image at `path`. Throws the OS error for a missing or unreadable file, and
 * FormatError when the file is not a readable qcow2 image (HDR-1 ... FEAT-6, see Qcow2Layer).
 */
export function openImage(path: string, options: OpenImageOptions = {}): OpenedImage {
  const ctx: ChainContext = { options, closers: [] };
  const close = () => ctx.closers.splice(0).forEach((c) => c());
  try {
    const top = openQcow2(path, path, ctx, [], 0);
    return { path, meta: top.meta, top, view: new GuestView(top), close };
  } catch (err) {
    close();
    throw err;
  }
}

function openQcow2(path: string, name: string, ctx: ChainContext, ancestors: readonly string[], depth: number): Qcow2Layer {
  const opened = openHostFile(path, name);
  ctx.closers.push(() => opened.source.close());
  const meta = readImageMeta(opened.source);
  const realPath = realpathSync(path);
  const chain = [...ancestors, realPath];
  const dataFileName = meta.extensions.dataFileName;
  const backingName = meta.backingFileName;
  return new Qcow2Layer({
    name,
    meta,
    file: opened.hostFile,
    allocatedBytes: opened.allocatedBytes,
    l2CacheBytes: ctx.options.l2CacheBytes,
    dataFileName: dataFileName === undefined ? undefined : safeDisplayName(path, dataFileName),
    openDataFile: () => openDataFile(path, dataFileName, ctx),
    openBacking: backingName ? () => openBacking(path, meta, backingName, ctx, chain, depth + 1) : undefined,
  });
}

function openBacking(imagePath: string, meta: ImageMeta, name: string, ctx: ChainContext, chain: readonly string[], depth: number): GuestLayer {
  const path = followable(imagePath, name, 'backing file', ctx);
  if (depth > BACKING_CHAIN_DEPTH_MAX) {
    throw new ImageError('chain-too-deep', `${imagePath}: backing chain deeper than ${BACKING_CHAIN_DEPTH_MAX} images (BACKING_CHAIN_DEPTH_MAX)`);
  }
  const realPath = realpathOf(imagePath, name, path, 'backing file');
  if (chain.includes(realPath)) {
    throw new ImageError('cycle', `${imagePath}: backing file "${name}" (${path}) is already in the chain above it: the backing chain is a cycle`);
  }
  const format = meta.extensions.backingFormat ?? probeFormat(path);
  if (format === 'qcow2') return openQcow2(path, path, ctx, chain, depth);
  if (format === 'raw') {
    const opened = openHostFile(path, path);
    ctx.closers.push(() => opened.source.close());
    return new RawLayer(opened.hostFile);
  }
  throw new ImageError('unsupported-format', `${imagePath}: backing file "${name}" has format "${format}"; crashcow reads qcow2 and raw only`);
}

function openDataFile(imagePath: string, name: string | undefined, ctx: ChainContext): HostFile {
  if (name === undefined) {
    throw new ImageError('no-data-file-name', `${imagePath}: the image keeps its data in an external data file but does not name it (no data-file-name extension)`);
  }
  const path = followable(imagePath, name, 'external data file', ctx);
  realpathOf(imagePath, name, path, 'external data file');
  const opened = openHostFile(path, path);
  ctx.closers.push(() => opened.source.close());
  return opened.hostFile;
}

/** Resolves a header name and applies --no-follow; returns the path to open. */
function followable(imagePath: string, name: string, role: HeaderFileRole, ctx: ChainContext): string {
  const path = resolveHeaderFileName(imagePath, name, role);
  if (ctx.options.noFollow) {
    throw new ImageError('no-follow', `${imagePath}: this needs the ${role} "${name}" (${path}), and --no-follow forbids opening files named in an image header`);
  }
  return path;
}

function realpathOf(imagePath: string, name: string, path: string, role: HeaderFileRole): string {
  try {
    return realpathSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new ImageError('missing-file', `${imagePath}: cannot open its ${role} "${name}" at ${path} (${code})`);
  }
}

/** "qcow2" when the file starts with the qcow2 magic, else "raw" (QEMU probes the same way). */
function probeFormat(path: string): string {
  const opened = openHostFile(path, path);
  try {
    const head = readPadded(opened.source, 0, 4);
    return new DataView(head.buffer, head.byteOffset, 4).getUint32(0) === QCOW2_MAGIC ? 'qcow2' : 'raw';
  } finally {
    opened.source.close();
  }
}

/** The data file's path for reports, or the raw name when it must not be resolved. */
function safeDisplayName(imagePath: string, name: string): string {
  try {
    return resolveHeaderFileName(imagePath, name, 'external data file');
  } catch {
    return name;
  }
}
