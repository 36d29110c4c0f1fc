/**
 * Feature bits of the qcow2 v3 header (FEAT-1..FEAT-10), as bigint masks over the u64 fields.
 */
export const incompatibleBits = {
  dirty: 1n << 0n,
  corrupt: 1n << 1n,
  externalDataFile: 1n << 2n,
  compressionType: 1n << 3n,
  extendedL2: 1n << 4n,
} as const;

/** Incompatible bits crashcow (and the spec, FEAT-6) knows; any other set bit must fail an open. */
export const incompatibleKnownMask = 0x1fn;

export const compatibleBits = {
  lazyRefcounts: 1n << 0n,
} as const;

export const autoclearBits = {
  bitmaps: 1n << 0n,
  rawExternalData: 1n << 1n,
} as const;

export const autoclearKnownMask = 0x3n;

/** Compression types (HDR-13). */
export const compressionTypes = { deflate: 0, zstd: 1 } as const;

/** Encryption methods (HDR-6). */
export const cryptMethods = { none: 0, aes: 1, luks: 2 } as const;
