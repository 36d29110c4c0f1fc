/** Runs qemu-img (from a long-lived shell started through execa); never throws on a non-zero exit (callers judge the code). */
import { execa } from 'execa';
import { COMMAND_NOT_FOUND_EXIT, ProcessLauncher } from './process-launcher.js';
import { QemuMissingError } from './qemu-missing-error.js';

interface QemuImgResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Every qemu-img run of this thread goes through one shell (see ProcessLauncher for why). */
const launcher = new ProcessLauncher();

/**
 * Runs `img args...` in `cwd`; `img` is QemuBinaries' qemu-img (a path, or the bare name for PATH).
 * @throws QemuMissingError when qemu-img cannot be started
 */
export async function runQemuImg(img: string, args: readonly string[], cwd?: string): Promise<QemuImgResult> {
  const r = await launcher.run(img, args, cwd);
  if (r.exitCode === COMMAND_NOT_FOUND_EXIT && /not found/.test(r.stderr)) throw new QemuMissingError(img);
  return { exitCode: r.exitCode, stdout: withoutFinalNewline(r.stdout), stderr: withoutFinalNewline(r.stderr) };
}

function withoutFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * The first line of `BINARY --version`, e.g. "qemu-io version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)".
 * @throws QemuMissingError when the binary cannot be started, fails, or prints no version line
 */
export async function qemuVersionLine(binary: string): Promise<string> {
  const r = await execa(binary, ['--version'], { reject: false, encoding: 'utf8', stdin: 'ignore' });
  if (r.exitCode === undefined) throw new QemuMissingError(binary, r.code === 'ENOENT' ? 'not found' : `cannot be run (${r.code ?? r.shortMessage})`);
  const line = r.stdout.split('\n')[0].trim();
  if (r.exitCode !== 0) throw new QemuMissingError(binary, `--version failed (exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''})`);
  if (!/ version \d+\.\d+/.test(line)) throw new QemuMissingError(binary, `--version printed no QEMU version line (got "${line.slice(0, 80)}")`);
  return line;
}
