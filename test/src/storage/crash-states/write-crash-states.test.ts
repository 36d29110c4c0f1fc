import { Ajv } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { writeCrashStates } from '../../../../src/storage/crash-states/write-crash-states.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';
import { tempDir } from '../../../helpers/qemu.js';

const SECTOR = 512;
const tmp = tempDir('crashcow-write-states-');
afterAll(() => tmp.cleanup());
const schema = JSON.parse(readFileSync(new URL('../../../../spec/schemas/crash-states-index.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

/** Two writes, a flush and a write: crash points before the flush and at the end (states shared between them). */
function plan(): CrashPlan {
  const base = new Uint8Array(4 * SECTOR);
  const rec = new RecordingDevice(MemoryDevice.from(base));
  rec.write(0, new Uint8Array(SECTOR).fill(1));
  rec.write(SECTOR, new Uint8Array(SECTOR).fill(2));
  rec.flush();
  rec.write(2 * SECTOR, new Uint8Array(SECTOR).fill(3));
  return new CrashPlan(MemoryDevice.from(base), rec.ops);
}

describe('writeCrashStates', () => {
  it('writes each distinct state once as a file holding its bytes, with a valid index naming log entries', () => {
    // Arrange
    const p = plan();
    const outDir = tmp.path('states');
    const progress: number[] = [];
    // Act: log entries 10, 11, 12 (the flush), 13
    const index = writeCrashStates({ plan: p, outDir, entryIndexOfOp: [10, 11, 12, 13], entryCount: 14, logPath: 'x.log', imagePath: 'x.qcow2', extension: '.img', progress: (n) => progress.push(n) });
    // Assert
    expect(validate(JSON.parse(readFileSync(`${outDir}/index.json`, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    const files = readdirSync(outDir).filter((f) => f.endsWith('.img')).sort();
    expect(files).toEqual(index.states.map((s) => s.file));
    const contents = files.map((f) => readFileSync(`${outDir}/${f}`).toString('hex'));
    expect(new Set(contents).size).toBe(files.length);
    for (const s of index.states) expect(readFileSync(`${outDir}/${s.file}`).toString('hex'), s.id).toBe(Buffer.from(p.rebuild(s.id).view().read(0, s.sizeBytes)).toString('hex'));
    // 4 states before the flush, 2 after it of which 1 repeats a state before it
    expect([index.states.length, index.duplicatesSkipped]).toEqual([5, 1]);
    expect(index.states.every((s) => s.crashPoint.entriesApplied >= 10)).toBe(true);
    expect(progress.length).toBe(index.states.length);
  });
});
