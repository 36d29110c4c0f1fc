/**
 * openInQemuIo: opens an image in a running qemu-io as a QemuOpenSpec says and makes sure it is
 * open afterwards, asking qemu-io (OPEN_PROBE) rather than reading the open's error lines, which a
 * repair on open prints even when it succeeds (throwIfOpenFailed).
 */
import type { QemuIoProcess } from './qemu-io-process.js';
import { openCommandOf, type QemuOpenSpec } from './qemu-open-spec.js';
import { OPEN_PROBE, throwIfOpenFailed } from './qemu-output.js';

/**
 * Opens `spec` in `io`; returns what the open printed (a repair's report, or nothing).
 * @throws EngineError when no image is open afterwards, with qemu-io's reason
 */
export async function openInQemuIo(io: QemuIoProcess, spec: QemuOpenSpec): Promise<string> {
  const command = openCommandOf(spec);
  const output = await io.command(command);
  throwIfOpenFailed(command, output, await io.command(OPEN_PROBE));
  return output;
}
