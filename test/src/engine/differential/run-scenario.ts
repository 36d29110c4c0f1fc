/**
 * Runs a scenario through QEMU (qemu-img, qemu-io of one build) and through crashcow's built-in
 * engine (in process, on files, opened and closed per step as the QEMU tools do), collecting per
 * step the exit status and the qemu-io output lines without the timing statistics.
 */
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import type { EngineImage } from '../../../../src/engine/engine.js';
import { isEngineError } from '../../../../src/engine/engine-error.js';
import { parseIoCommand } from '../../../../src/engine/script/io-command.js';
import { runIoCommand } from '../../../../src/engine/script/run-io-command.js';
import type { QemuTools } from '../../../helpers/qemu.js';
import { createOptionString, type Scenario, type Step } from './scenario.js';

interface StepOutcome {
  exitCode: number;
  lines: string[];
}

const STATS_LINE = /, \d+ ops; /;

function normalize(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.length > 0 && !STATS_LINE.test(l));
}

type Tool = (name: 'qemu-img' | 'qemu-io', args: string[], cwd: string) => Promise<StepOutcome & { stderr: string }>;

function toolOf(qemu: QemuTools): Tool {
  return async (name, args, cwd) => {
    const r = await qemu.run(name, args, { cwd });
    return { exitCode: r.exitCode, lines: normalize(r.stdout), stderr: r.stderr };
  };
}

/** Creates the shared backing file `base.img` in `dir` (when the scenario has one) with `qemu`. */
export async function makeBacking(qemu: QemuTools, dir: string, s: Scenario): Promise<void> {
  const tool = toolOf(qemu);
  const b = s.image.backing;
  if (!b) return;
  const made = await tool('qemu-img', ['create', '-q', '-f', b.format, 'base.img', String(b.sizeBytes)], dir);
  if (made.exitCode !== 0) throw new Error(`backing create failed: ${made.stderr}`);
  if (b.fills.length === 0) return;
  const filled = await tool('qemu-io', ['-f', b.format, ...b.fills.flatMap((c) => ['-c', c]), 'base.img'], dir);
  if (filled.exitCode !== 0) throw new Error(`backing fill failed: ${filled.lines.join('; ')} ${filled.stderr}`);
}

/** The scenario through `qemu`'s qemu-img / qemu-io on `${dir}/${name}`. */
export async function runQemu(qemu: QemuTools, dir: string, name: string, s: Scenario): Promise<StepOutcome[]> {
  const tool = toolOf(qemu);
  const create = ['create', '-q', '-f', 'qcow2', '-o', createOptionString(s.image)];
  if (s.image.backing) create.push('-b', 'base.img', '-F', s.image.backing.format);
  const made = await tool('qemu-img', [...create, name, String(s.image.sizeBytes)], dir);
  if (made.exitCode !== 0) throw new Error(`qemu-img create failed: ${made.stderr}`);
  const out: StepOutcome[] = [];
  for (const step of s.steps) {
    if (step.kind === 'io') out.push(await tool('qemu-io', ['-f', 'qcow2', '-t', s.cacheMode, ...step.commands.flatMap((c) => ['-c', c]), name], dir));
    else if (step.kind === 'snapshot') out.push(await tool('qemu-img', ['snapshot', step.flag, step.name, name], dir));
    else out.push(await tool('qemu-img', ['resize', ...(step.shrink ? ['--shrink'] : []), '-f', 'qcow2', name, String(step.sizeBytes)], dir));
  }
  return out.map(({ exitCode, lines }) => ({ exitCode, lines }));
}

/** The scenario through crashcow's built-in engine on `${dir}/${name}`. */
export async function runCrashcow(dir: string, name: string, s: Scenario): Promise<StepOutcome[]> {
  const engine = new BuiltinEngine();
  const path = `${dir}/${name}`;
  const i = s.image;
  await engine.create({ path }, {
    virtualSizeBytes: i.sizeBytes,
    clusterSizeBytes: i.clusterSizeBytes,
    refcountBits: i.refcountBits,
    compat: i.compat,
    lazyRefcounts: i.lazyRefcounts,
    extendedL2: i.extendedL2,
    compressionType: i.compressionType,
    ...(i.backing ? { backingFile: 'base.img', backingFormat: i.backing.format } : {}),
  });
  const out: StepOutcome[] = [];
  for (const step of s.steps) {
    const image = await engine.open({ path }, { cacheMode: step.kind === 'io' ? s.cacheMode : 'writeback' });
    try {
      out.push(await runStep(image, step));
    } finally {
      await image.close();
    }
  }
  return out;
}

async function runStep(image: EngineImage, step: Step): Promise<StepOutcome> {
  if (step.kind === 'io') {
    const lines: string[] = [];
    let failed = false;
    for (const text of step.commands) {
      const cmd = parseIoCommand(text);
      if (cmd.kind === 'parse-error') throw new Error(`script command does not parse: ${text}`);
      const r = await runIoCommand(image, cmd);
      lines.push(...r.stdout.filter((l) => !STATS_LINE.test(l)));
      failed ||= !r.ok;
    }
    return { exitCode: failed ? 1 : 0, lines };
  }
  try {
    if (step.kind === 'resize') await image.resize(step.sizeBytes, { shrink: step.shrink });
    else if (step.flag === '-c') await image.snapshotCreate(step.name);
    else if (step.flag === '-a') await image.snapshotApply(step.name);
    else await image.snapshotDelete(step.name);
    return { exitCode: 0, lines: step.kind === 'resize' ? ['Image resized.'] : [] };
  } catch (err) {
    if (!isEngineError(err)) throw err;
    return { exitCode: 1, lines: [] };
  }
}
