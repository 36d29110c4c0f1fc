/**
 * Integration with real QEMU: a qemu-io workload recorded through the blklogwrites driver, replayed
 * with our codec and through the compiled CLI, must reproduce QEMU's final image byte for byte.
 */
import Ajv from 'ajv';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../../spec/format/byte-source.js';
import { checkCrashState } from '../../../../spec/semantics/storage-contract.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { decodeLog, readEntryData } from '../../../../src/storage/dm-log-writes/decode-log.js';
import { encodeLog } from '../../../../src/storage/dm-log-writes/encode-log.js';
import { LogFlag } from '../../../../src/storage/dm-log-writes/log-format.js';
import { logToOps } from '../../../../src/storage/dm-log-writes/log-ops.js';
import { replayLog } from '../../../../src/storage/dm-log-writes/replay-log.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { qemuImgOk, qemuIo, tempDir } from '../../../helpers/qemu.js';

const WORKLOAD = [
  'write -P 0xab 0 64k',
  'flush',
  'write -z 128k 64k',
  'discard 0 64k',
  'write -P 0xcd 1M 4k',
  'write -P 0x11 4M 192k',
  'flush',
  'write -P 0x22 100k 8k',
  'write -P 0x33 8M 64k',
  'flush',
  'write -P 0x44 12M 4k',
];

interface Recorded {
  start: string;
  final: string;
  log: string;
}

const tmp = tempDir('crashcow-blklogwrites-');
const runs: Record<number, Recorded> = {};

/** Creates an image with qemu-img and runs WORKLOAD on a copy through blklogwrites. */
async function record(logSectorSizeBytes: number): Promise<Recorded> {
  const r = { start: tmp.path(`start-${logSectorSizeBytes}.qcow2`), final: tmp.path(`final-${logSectorSizeBytes}.qcow2`), log: tmp.path(`log-${logSectorSizeBytes}.bin`) };
  await qemuImgOk(['create', '-f', 'qcow2', r.start, '16M']);
  copyFileSync(r.start, r.final);
  writeFileSync(r.log, new Uint8Array(0));
  const opts = `driver=qcow2,file.driver=blklogwrites,file.file.filename=${r.final},file.log.filename=${r.log},file.log-sector-size=${logSectorSizeBytes}`;
  await qemuIo(opts, WORKLOAD, { imageOpts: true });
  return r;
}

beforeAll(async () => {
  runs[512] = await record(512);
  runs[4096] = await record(4096);
});
afterAll(() => tmp.cleanup());

describe('QEMU blklogwrites logs', () => {
  it.each([512, 4096])('replayed whole onto the starting image give QEMU\'s final image byte for byte (%i-byte log sectors)', (ss) => {
    const r = runs[ss];
    const log = bytesSource(readFileSync(r.log));
    const decoded = decodeLog(log);
    expect(decoded.sectorSizeBytes).toBe(ss);
    expect(decoded.entries.filter((e) => e.flags === LogFlag.flush).length).toBeGreaterThanOrEqual(3);
    expect(decoded.entries.some((e) => e.flags === LogFlag.discard)).toBe(true);
    const dev = MemoryDevice.from(readFileSync(r.start));
    replayLog(log, decoded, dev);
    const final = readFileSync(r.final);
    expect(dev.sizeBytes).toBe(final.length);
    expect(Buffer.from(dev.read(0, dev.sizeBytes)).equals(final)).toBe(true);
  });

  it('decode then encode gives QEMU\'s log back byte for byte', () => {
    const bytes = readFileSync(runs[512].log);
    const log = bytesSource(bytes);
    const records = decodeLog(log).entries.map((e) => ({
      flags: e.flags,
      targetOffsetBytes: e.targetOffsetBytes,
      lengthBytes: e.lengthBytes,
      ...(e.flags & (LogFlag.discard | LogFlag.mark) || e.lengthBytes === 0 ? {} : { data: readEntryData(log, e) }),
    }));
    expect(Buffer.from(encodeLog(records, 512)).equals(bytes)).toBe(true);
  });

  it('its crash states all satisfy the storage contract', () => {
    const r = runs[512];
    const log = bytesSource(readFileSync(r.log));
    const base = MemoryDevice.from(readFileSync(r.start));
    const { ops } = logToOps(log, decodeLog(log), base.sizeBytes);
    const plan = new CrashPlan(base, ops, { maxStates: 60, seed: 3 });
    let checked = 0;
    for (const state of plan.states()) {
      const verdict = checkCrashState(ops, state.crashPoint, toByteSource(base), state.source());
      expect(verdict.findings, state.id).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('crashcow replay-log and crash-states on a QEMU log', () => {
  it('replay-log reproduces QEMU\'s final image, and --to stops at an entry', async () => {
    const r = runs[512];
    const out = tmp.path('cli-replayed.qcow2');
    const whole = await crashcow(['replay-log', '--log', r.log, '--image', r.start, '--out', out]);
    expect(whole.exitCode, whole.stderr).toBe(0);
    expect(readFileSync(out).equals(readFileSync(r.final))).toBe(true);

    const log = bytesSource(readFileSync(r.log));
    const decoded = decodeLog(log);
    const firstFlush = decoded.entries.findIndex((e) => e.flags === LogFlag.flush);
    const partial = await crashcow(['replay-log', '--log', r.log, '--image', r.start, '--to', String(firstFlush), '--out', out]);
    expect(partial.exitCode, partial.stderr).toBe(0);
    const expected = MemoryDevice.from(readFileSync(r.start));
    replayLog(log, decoded, expected, firstFlush);
    expect(readFileSync(out).equals(Buffer.from(expected.read(0, expected.sizeBytes)))).toBe(true);
    expect(readFileSync(out).equals(readFileSync(r.final))).toBe(false);
  });

  it('crash-states writes images whose bytes its index.json ids rebuild, and a schema-valid index', async () => {
    const r = runs[512];
    const dir = tmp.path('states');
    const run = await crashcow(['crash-states', '--log', r.log, '--image', r.start, '--out', dir, '--max', '40', '--seed', '9']);
    expect(run.exitCode, run.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    const schema = JSON.parse(readFileSync(new URL('../../../../spec/schemas/crash-states-index.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    expect(validate(index), JSON.stringify(validate.errors)).toBe(true);
    expect(index.states.length).toBeGreaterThan(10);
    const log = bytesSource(readFileSync(r.log));
    const base = MemoryDevice.from(readFileSync(r.start));
    const plan = new CrashPlan(base, logToOps(log, decodeLog(log), base.sizeBytes).ops, { seed: 9 });
    for (const entry of index.states) {
      const state = plan.rebuild(entry.id);
      const file = readFileSync(join(dir, entry.file));
      expect(file.length).toBe(entry.sizeBytes);
      expect(file.equals(Buffer.from(state.view().read(0, state.sizeBytes))), entry.id).toBe(true);
    }
  });
});
