/**
 * Runs a parsed qemu-io command against any EngineImage and reports it the way qemu-io does:
 * "wrote N/N bytes at offset X" and a statistics line, "Pattern verification failed at offset X,
 * N bytes", or "write failed: Input/output error". Engine and format errors become failed commands;
 * anything else (a bug, an injected fault) propagates.
 */
import { isFormatError } from '../../../spec/format/format-error.js';
import type { EngineImage } from '../engine.js';
import { errnoText, isEngineError } from '../engine-error.js';
import type { IoCommand } from './io-command.js';
import { formatSize } from './parse-size.js';

interface IoOutcome {
  ok: boolean;
  stdout: string[];
  stderr: string[];
}

/** `elapsedSeconds` measures a request for the statistics line (display only); default 0. */
export async function runIoCommand(image: EngineImage, cmd: IoCommand, opts: { elapsedSeconds?: (run: () => Promise<void>) => Promise<number> } = {}): Promise<IoOutcome> {
  const out: IoOutcome = { ok: true, stdout: [], stderr: [] };
  const timed = opts.elapsedSeconds ?? (async (run: () => Promise<void>) => (await run(), 0));
  const verb = cmd.kind === 'write' ? 'wrote' : cmd.kind;
  try {
    let seconds = 0;
    if (cmd.kind === 'flush') {
      await image.flush();
      return out;
    }
    if (cmd.kind === 'read') {
      let data: Uint8Array = new Uint8Array(0);
      seconds = await timed(async () => void (data = await image.read(cmd.offsetBytes, cmd.lengthBytes)));
      if (cmd.pattern !== undefined && data.some((b) => b !== cmd.pattern)) {
        out.stdout.push(`Pattern verification failed at offset ${cmd.offsetBytes}, ${cmd.lengthBytes} bytes`);
        out.ok = false;
      }
    } else if (cmd.kind === 'discard') {
      seconds = await timed(() => image.discard(cmd.offsetBytes, cmd.lengthBytes));
    } else if (cmd.zero) {
      seconds = await timed(() => image.writeZeroes(cmd.offsetBytes, cmd.lengthBytes, { unmap: cmd.unmap }));
    } else {
      const data = new Uint8Array(cmd.lengthBytes).fill(cmd.pattern);
      seconds = await timed(() => image.write(cmd.offsetBytes, data, { compressed: cmd.compressed }));
    }
    if (!cmd.quiet) out.stdout.push(`${verb} ${cmd.lengthBytes}/${cmd.lengthBytes} bytes at offset ${cmd.offsetBytes}`, statsLine(cmd.lengthBytes, seconds));
  } catch (err) {
    const reason = isEngineError(err) ? errnoText[err.errno] : isFormatError(err) ? err.message : undefined;
    if (reason === undefined) throw err;
    out.stdout.push(`${cmd.kind} failed: ${reason}`);
    out.ok = false;
  }
  return out;
}

/** qemu-io's statistics line: "4 KiB, 1 ops; 00.00 sec (3.588 MiB/sec and 918.5292 ops/sec)". */
function statsLine(bytes: number, seconds: number): string {
  const secs = seconds.toFixed(2).padStart(5, '0');
  const rate = seconds > 0 ? bytes / seconds : 0;
  const ops = seconds > 0 ? 1 / seconds : 0;
  return `${formatSize(bytes)}, 1 ops; ${secs} sec (${formatSize(Math.round(rate))}/sec and ${ops.toFixed(4)} ops/sec)`;
}
