/**
 * ProcessLauncher: runs short-lived commands (qemu-img) from one long-lived `sh`, started once
 * through execa. A fork copies the forking process' page tables, so a spawn from a fuzz
 * campaign's Node process (hundreds of MB of heap) is slow, while the shell is small and its
 * forks stay cheap. One command at a time, in call order; each
 * command's stdout and stderr come back whole, its stdin is /dev/null, and no file it writes may
 * grow past QEMU_FILE_SIZE_MAX_BYTES. The shell ends when its stdin closes (this process exiting
 * included), and it never keeps Node's event loop alive while idle.
 */
import { execa, type ResultPromise } from 'execa';

interface LaunchResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * The largest file a QEMU process may write (1 GiB; the fuzzer's images are a few MiB). A broken
 * refcount structure can make QEMU write at an offset near 2^63: ext4 refuses that (EFBIG at
 * 16 TiB), tmpfs accepts it and leaves a file of exabytes, so the same case would replay
 * differently by file system. A file size limit gives every file system ext4's answer (EFBIG),
 * and keeps every file QEMU leaves small enough to read back.
 */
export const QEMU_FILE_SIZE_MAX_BYTES = 1 << 30;

/**
 * Shell commands that apply QEMU_FILE_SIZE_MAX_BYTES to everything the shell starts afterwards:
 * SIGXFSZ ignored (so a write past the limit fails with EFBIG instead of killing the process)
 * and `ulimit -f`, which POSIX sh counts in 512-byte blocks.
 */
export const FILE_SIZE_LIMIT_PRELUDE = `trap '' XFSZ; ulimit -f ${QEMU_FILE_SIZE_MAX_BYTES / 512}`;

/** sh's exit code for a command it cannot find. */
export const COMMAND_NOT_FOUND_EXIT = 127;

/** Quotes one word for sh: inside single quotes everything is literal but the quote itself. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Pending {
  resolve: (r: LaunchResult) => void;
  reject: (err: Error) => void;
}

/** Ends each command's output on both streams (printed by the shell after the command exits). */
const END_MARKER = '__crashcow_launcher_end__';

export class ProcessLauncher {
  private child: ResultPromise | null = null;
  private out = '';
  private err = '';
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** Runs `bin args...` in `cwd` (this process' directory when absent) and waits for it to exit. */
  run(bin: string, args: readonly string[], cwd?: string): Promise<LaunchResult> {
    const next = this.queue.then(() => this.runNow(bin, args, cwd));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the shell (it also ends by itself when this process exits). */
  close(): void {
    this.child?.stdin?.end();
    this.child = null;
  }

  private runNow(bin: string, args: readonly string[], cwd: string | undefined): Promise<LaunchResult> {
    const child = this.shell();
    const command = [bin, ...args].map(shellQuote).join(' ');
    const dir = cwd === undefined ? '' : `cd ${shellQuote(cwd)} && `;
    // The code is read before anything else runs; the markers end both streams after the command's output.
    const line = `(${dir}exec ${command}) </dev/null; c=$?; printf '\\n%s %d\\n' ${END_MARKER} $c; printf '\\n%s\\n' ${END_MARKER} >&2\n`;
    return new Promise<LaunchResult>((resolve, reject) => {
      this.pending = { resolve, reject };
      setRef(child, true);
      child.stdin!.write(line);
    });
  }

  private shell(): ResultPromise {
    if (this.child) return this.child;
    const child = execa('sh', [], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, encoding: 'utf8' });
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      this.out += chunk;
      this.deliver();
    });
    child.stderr!.on('data', (chunk: string) => {
      this.err += chunk;
      this.deliver();
    });
    child.catch(() => undefined).finally(() => {
      if (this.child === child) this.child = null;
      const p = this.pending;
      this.pending = null;
      p?.reject(new Error(`the launcher shell exited unexpectedly; last output: ${(this.out + this.err).slice(-300)}`));
    });
    child.stdin!.write(`${FILE_SIZE_LIMIT_PRELUDE}\n`);
    setRef(child, false);
    this.child = child;
    return child;
  }

  /** Resolves the pending command once both streams carry their marker. */
  private deliver(): void {
    if (!this.pending) return;
    const outEnd = this.out.indexOf(`\n${END_MARKER} `);
    const errEnd = this.err.indexOf(`\n${END_MARKER}\n`);
    if (outEnd < 0 || errEnd < 0) return;
    const codeEnd = this.out.indexOf('\n', outEnd + END_MARKER.length + 2);
    if (codeEnd < 0) return;
    const exitCode = Number(this.out.slice(outEnd + END_MARKER.length + 2, codeEnd));
    const result = { exitCode, stdout: this.out.slice(0, outEnd), stderr: this.err.slice(0, errEnd) };
    this.out = this.out.slice(codeEnd + 1);
    this.err = this.err.slice(errEnd + END_MARKER.length + 2);
    const p = this.pending;
    this.pending = null;
    if (this.child) setRef(this.child, false);
    p.resolve(result);
  }
}

/** Lets (or stops) the idle shell and its pipes keep the event loop alive. */
function setRef(child: ResultPromise, on: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>) {
    if (on) handle?.ref?.();
    else handle?.unref?.();
  }
}
