/**
 * The checker alone, for bench:check: checks IMAGE through src/check only (no CLI command
 * registry), prints the JSON report and exits with crashcow check's exit code. It shows how much
 * of the CLI's time is the check itself and how much is loading the other commands' modules.
 */
import { FileByteSource } from '../src/io/file-byte-source.js';
import { checkImage } from '../src/check/check-image.js';
import { exitCodeOf } from '../src/check/check-report.js';

const path = process.argv[2];
const source = new FileByteSource(path);
const report = checkImage(source, path);
source.close();
process.stdout.write(JSON.stringify(report) + '\n');
process.exitCode = exitCodeOf(report);
