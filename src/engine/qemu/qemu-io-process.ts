/**
 * QemuIoProcess: one interactive qemu-io, driven through its stdin: each command is written as a
 * line and its output is everything qemu-io prints before the next `qemu-io> ` prompt (stderr is
 * merged into stdout by the shell, so error lines arrive in order). One command at a time. Its
 * files are size-limited as the launcher's are (FILE_SIZE_LIMIT_PRELUDE).
 */
import { execa, type ResultPromise } from 'execa';
import { FILE_SIZE_LIMIT_PRELUDE, shellQuote } from './process-launcher.js';
import type { QemuBinaries } from './qemu-binaries.js';
import { QemuMissingError } from './qemu-missing-error.js';

const PROMPT = 'qemu-io> ';

export class QemuIoProcess {
  private buffer = '';
  private waiter: ((out: string) => void) | null = null;
  private failed: ((err: Error) => void) | null = null;
  private exited = false;

  private constructor(
    private readonly child: ResultPromise,
    readonly cwd: string,
    /** The binaries this process came from; the images it opens run the same qemu-img offline. */
    readonly binaries: QemuBinaries,
  ) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
    child.catch(() => undefined).finally(() => {
      this.exited = true;
      this.failed?.(new Error(`qemu-io exited unexpectedly; last output: ${this.buffer.slice(-500)}`));
    });
  }

  /** Starts `binaries.io` in `cwd` and waits for its first prompt. @throws QemuMissingError */
  static async start(binaries: QemuBinaries, cwd: string): Promise<QemuIoProcess> {
    const io = shellQuote(binaries.io);
    const script = `command -v ${io} >/dev/null || exit 127; ${FILE_SIZE_LIMIT_PRELUDE}; exec ${io} 2>&1`;
    const child = execa('sh', ['-c', script], { cwd, stdin: 'pipe', stdout: 'pipe', stderr: 'ignore', buffer: false, reject: false });
    const p = new QemuIoProcess(child, cwd, binaries);
    try {
      await p.nextPrompt();
    } catch {
      throw new QemuMissingError(binaries.io);
    }
    return p;
  }

  /** Runs one command line; resolves to its output (without the prompt). */
  async command(line: string): Promise<string> {
    if (this.exited) throw new Error('qemu-io is not running');
    const done = this.nextPrompt();
    this.child.stdin!.write(line + '\n');
    return done;
  }

  /** Kills qemu-io at once (a crash: nothing is flushed or closed). */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.child.catch(() => undefined);
  }

  /** Quits qemu-io (closing any open image cleanly first). */
  async quit(): Promise<void> {
    if (this.exited) return;
    this.child.stdin!.end('quit\n');
    await this.child.catch(() => undefined);
  }

  private nextPrompt(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failed = reject;
      this.deliver();
    });
  }

  private deliver(): void {
    const at = this.buffer.indexOf(PROMPT);
    if (at < 0 || !this.waiter) return;
    const out = this.buffer.slice(0, at);
    this.buffer = this.buffer.slice(at + PROMPT.length);
    const w = this.waiter;
    this.waiter = null;
    this.failed = null;
    w(out);
  }
}
