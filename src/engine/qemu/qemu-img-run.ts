/** Runs qemu-img through execa; never throws on a non-zero exit (callers judge the code). */
import { execa } from 'execa';
import { QemuMissingError } from './qemu-missing-error.js';

export interface QemuImgResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** @throws QemuMissingError when qemu-img cannot be started */
export async function runQemuImg(args: readonly string[], cwd?: string): Promise<QemuImgResult> {
  const r = await execa('qemu-img', args, { reject: false, cwd, encoding: 'utf8', stdin: 'ignore' });
  if (r.exitCode === undefined) {
    if ((r as { code?: string }).code === 'ENOENT') throw new QemuMissingError('qemu-img');
    throw new Error(`qemu-img ${args.join(' ')} could not run: ${r.message}`);
  }
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** The first line of `BINARY --version`, e.g. "qemu-io version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)". */
export async function qemuVersionLine(binary: 'qemu-io' | 'qemu-img'): Promise<string> {
  const r = await execa(binary, ['--version'], { reject: false, encoding: 'utf8', stdin: 'ignore' });
  if (r.exitCode !== 0) throw new QemuMissingError(binary);
  return r.stdout.split('\n')[0].trim();
}
