/**
 * The shell text of the `--form poke` script's own steps: build_image (qemu-img create, then the
 * case's operations in one qemu-io that is killed after the last flush), check_layout (the built
 * image's sha256 against the one the replay recorded; a difference ends the script with
 * LAYOUT_EXIT_STATUS and says so) and poke_crash (the crash state's bytes written with printf and
 * dd at their exact offsets). Bytes go in as printf `\xHH` escapes inside single quotes: data only.
 */
import { POKE_IMAGE_FILE, type PokeBuild } from './poke-build.js';
import type { PokePlan, PokeRun } from './poke-plan.js';

/** The exit status of a script whose build did not give the recorded layout. */
export const LAYOUT_EXIT_STATUS = 3;

/** Bytes per printf line. */
const PRINTF_BYTES_PER_LINE = 64;

/** A word of ours in single quotes (our words hold no quote). */
function quoted(word: string): string {
  if (word.includes("'")) throw new Error(`not a plain word: ${word}`);
  return `'${word}'`;
}

/** printf lines writing `bytes` to stdout, indented by `indent`. */
export function printfLines(bytes: Uint8Array, indent: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += PRINTF_BYTES_PER_LINE) {
    let esc = '';
    for (const b of bytes.subarray(i, i + PRINTF_BYTES_PER_LINE)) esc += `\\x${b.toString(16).padStart(2, '0')}`;
    lines.push(`${indent}printf '${esc}'`);
  }
  return lines;
}

/**
 * build_image: makes $tmp/crash.qcow2 from nothing (the backing file, when there is one, is already
 * in $tmp). Run from the script and, at export, by crashcow itself to learn the layout it gives.
 */
export function renderBuildFunction(build: PokeBuild): string[] {
  const out = [
    '# Builds the image before the crash: qemu-img create with the case\'s image options, then the',
    '# case\'s operations up to the last flush in one qemu-io, killed (no close, no flush) after it.',
    'build_image() {',
    '    cd -- "$tmp" || return 1',
  ];
  for (const f of build.writeFiles) out.push(`    # The bytes of write #${f.writeId}.`, '    {', ...printfLines(f.bytes, '        '), `    } > ${f.fileName} || return 1`);
  out.push(`    "$QEMU_IMG" ${build.createArgs.map(quoted).join(' ')} > build.log 2>&1 || return 1`);
  const cmds = build.ioCommands.map((c) => `-c ${quoted(c)}`).join(' \\\n        ');
  out.push(
    '    # The last command kills qemu-io; the shell\'s note of the kill is not part of the output.',
    `    { "$QEMU_IO" -f qcow2 -t ${build.cacheMode} \\`,
    `        ${cmds} \\`,
    `        ${POKE_IMAGE_FILE} >> build.log 2>&1; } 2>/dev/null`,
    '    return 0',
    '}',
  );
  return out;
}

/** check_layout and poke_crash. */
export function renderPokeFunctions(poke: PokePlan): string[] {
  const out = [
    `# The built image must be the one the replay had after ${poke.logEntriesBuilt} logged storage operations`,
    '# (a flush): the same bytes, so the same layout. When it is not, the crash state\'s bytes would',
    '# land on another layout and the test would show nothing: the script says so and stops.',
    'check_layout() {',
    '    sum=$(sha256sum < "$img" | cut -d " " -f 1)',
    `    [ "$sum" = ${poke.baseSha256Hex} ] && return 0`,
    '    echo "LAYOUT DIFFERS: $seq: qemu-img and qemu-io built an image before the crash that is not the one the case\'s replay recorded (sha256 $sum, recorded ' + poke.baseSha256Hex + '), so the crash state cannot be applied and this test shows nothing about the defect; use the image form of the test"',
    '    [ -s "$tmp/build.log" ] && { echo "qemu-img and qemu-io printed:"; filter < "$tmp/build.log"; }',
    `    exit ${LAYOUT_EXIT_STATUS}`,
    '}',
    '',
    '# Turns the built image into the crash state: writes the bytes the crash state holds where they',
    '# differ from the image at the flush (what its kept and torn writes changed), at their offsets.',
    'poke_crash() {',
  ];
  for (const run of poke.pokes) out.push(...pokeLines(run));
  out.push(`    truncate -s ${poke.crashSizeBytes} "$img" || return 1`, '}');
  return out;
}

function pokeLines(run: PokeRun): string[] {
  const from = run.logEntries.map((i) => `#${i}`).join(', ');
  return [
    `    # ${run.bytes.length} bytes at offset 0x${run.offsetBytes.toString(16)}, from logged write${run.logEntries.length === 1 ? '' : 's'} ${from}`,
    '    {',
    ...printfLines(run.bytes, '        '),
    `    } | dd of="$img" bs=4096 seek=${run.offsetBytes} oflag=seek_bytes conv=notrunc status=none || return 1`,
  ];
}

/** The line of run_test that starts from the built and poked image. */
export const POKE_START_LINES = ['    poke_crash || return 1'];

/** Steps the script runs before run_test in the poke form. */
export const POKE_PREPARE_LINES = ['build_image || { echo "$seq: building the image failed"; filter < "$tmp/build.log"; exit 2; }', 'check_layout'];
