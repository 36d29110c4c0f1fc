/**
 * Sizes and offsets in qemu's syntax (qemu_strtosz): a decimal number, optionally with a fraction and
 * a 1024-based suffix B, K, M, G, T, P or E (either case), or a hexadecimal integer "0x...".
 */
const SUFFIX_EXPONENT: Record<string, number> = { b: 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** Why a size did not parse, as qemu-io words it. */
type SizeParseFailure = 'invalid' | 'too-large';

/**
 * The size in bytes, or a failure: 'invalid' for anything that is not a non-negative number with a
 * known suffix (or a fraction of a byte), 'too-large' past 2^53 (where a JS number stops being exact).
 */
export function parseSizeBytes(text: string): number | SizeParseFailure {
  const hexMatch = /^0[xX]([0-9a-fA-F]+)$/.exec(text);
  if (hexMatch) return checked(Number.parseInt(hexMatch[1], 16));
  const m = /^(\d+)(\.\d+)?([bBkKmMgGtTpPeE])?$/.exec(text);
  if (!m) return 'invalid';
  const exponent = SUFFIX_EXPONENT[(m[3] ?? 'b').toLowerCase()];
  const value = Number(m[1] + (m[2] ?? '')) * 1024 ** exponent;
  if (!Number.isInteger(value)) return 'invalid';
  return checked(value);
}

function checked(value: number): number | SizeParseFailure {
  return Number.isSafeInteger(value) ? value : 'too-large';
}

/** "4 KiB", "1.500 MiB", "512 bytes": qemu-io's way of printing a byte count (cvtstr). */
export function formatSize(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 6, 'EiB'],
    [1024 ** 5, 'PiB'],
    [1024 ** 4, 'TiB'],
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  const [div, unit] = units.find(([d]) => bytes >= d) ?? [1, 'bytes'];
  const text = (bytes / div).toFixed(3);
  return `${text.endsWith('.000') ? text.slice(0, -4) : text} ${unit}`;
}
