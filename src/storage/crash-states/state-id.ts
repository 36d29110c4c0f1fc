/**
 * State ids: a compact text from which a crash state is rebuilt exactly, given the same log.
 *
 * Form: `c<crash point>.g<log2 sector size>.z<size code>[.<runs>]`, all numbers decimal. Runs list
 * the version code of each touched sector in order as `code` or `code:count`, joined by `_`;
 * trailing sectors with code 0 (their latest content) are left out. Example: `c17.g9.z0.0:40_1:8`
 * is the crash after 17 operations, 512 B sectors, latest size, 40 sectors as last written and 8
 * holding their previous content.
 */
import { FormatError } from '../../../spec/format/format-error.js';
import type { VersionCodes } from './crash-point-model.js';

/** What an id names, before it is matched against a model. */
interface ParsedStateId {
  crashPoint: number;
  sectorSizeBytes: number;
  sizeCode: number;
  /** [code, count] pairs in sector order. */
  runs: Array<[number, number]>;
}

/** Encodes a state's choice as an id (see the module comment). */
export function encodeStateId(crashPoint: number, sectorSizeBytes: number, sizeCode: number, codes: VersionCodes): string {
  let end = codes.length;
  while (end > 0 && codes[end - 1] === 0) end--;
  let id = `c${crashPoint}.g${Math.log2(sectorSizeBytes)}.z${sizeCode}`;
  if (end === 0) return id;
  const tokens: string[] = [];
  for (let t = 0; t < end; ) {
    const code = codes[t];
    let u = t + 1;
    while (u < end && codes[u] === code) u++;
    tokens.push(u - t === 1 ? `${code}` : `${code}:${u - t}`);
    t = u;
  }
  id += '.' + tokens.join('_');
  return id;
}

const ID_PATTERN = /^c(\d{1,15})\.g(\d{1,2})\.z(\d{1,9})(?:\.(\d{1,9}(?::\d{1,9})?(?:_\d{1,9}(?::\d{1,9})?)*))?$/;

/**
 * Parses an id.
 * @throws FormatError (rule STATE-ID) when the text is not a well-formed id
 */
export function parseStateId(id: string): ParsedStateId {
  const m = ID_PATTERN.exec(id);
  if (!m) throw new FormatError('STATE-ID', `state id "${id}"`, 'expected c<crash point>.g<sector shift>.z<size code>[.<code[:count]>_...]');
  const shift = Number(m[2]);
  if (shift < 9 || shift > 16) throw new FormatError('STATE-ID', `state id "${id}"`, `sector shift ${shift} outside 9..16`);
  const runs: Array<[number, number]> = (m[4] ? m[4].split('_') : []).map((token) => {
    const [code, count] = token.split(':');
    return [Number(code), count === undefined ? 1 : Number(count)];
  });
  return { crashPoint: Number(m[1]), sectorSizeBytes: 2 ** shift, sizeCode: Number(m[3]), runs };
}

/**
 * Expands the runs of a parsed id into `codes` (zeroed, one per touched sector) and returns it.
 * @throws FormatError (rule STATE-ID) when the runs name more sectors than `codes` holds
 */
export function expandRuns(parsed: ParsedStateId, codes: VersionCodes, id: string): VersionCodes {
  const sectorCount = codes.length;
  let t = 0;
  for (const [code, count] of parsed.runs) {
    if (code >= 2 ** (8 * codes.BYTES_PER_ELEMENT)) throw new FormatError('STATE-ID', `state id "${id}"`, `code ${code} is larger than any version count here`);
    if (count < 1 || t + count > sectorCount) throw new FormatError('STATE-ID', `state id "${id}"`, `runs cover more than the ${sectorCount} sectors touched at this crash point`);
    codes.fill(code, t, t + count);
    t += count;
  }
  return codes;
}
