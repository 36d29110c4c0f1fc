/**
 * The exported test as text: a bash script that needs only bash, coreutils, bzip2, diff, sed, awk,
 * qemu-img and qemu-io, and the output a correct QEMU gives it (NAME.out), both rendered from one
 * plan so that the sections and their titles cannot drift apart. Every string from the case goes
 * into a comment through commentText; the only data the script's code holds are numbers, hashes
 * crashcow computed, names crashcow chose and bytes as printf escapes in single quotes. A damage
 * case's test is rendered by damage-script.ts, the poke form's own steps by poke-script.ts.
 */
import { describeOp } from '../fuzz/model/fuzz-op.js';
import { propertyTitles } from '../fuzz/violation.js';
import type { IotestPlan, IotestRecovery } from './iotest-plan.js';
import { damageParagraphs, renderDamageOut, renderDamageRunTest } from './damage-script.js';
import type { PokePlan } from './poke-plan.js';
import { LAYOUT_EXIT_STATUS as LAYOUT_STATUS, POKE_PREPARE_LINES, POKE_START_LINES, renderBuildFunction, renderPokeFunctions } from './poke-script.js';
import { commentBlock, commentText } from './shell-text.js';

/** The file names of an exported test called `name`. */
export function iotestFileNames(name: string): { script: string; out: string; image: string; backing: string } {
  return { script: name, out: `${name}.out`, image: `${name}.qcow2.bz2`, backing: `${name}.backing.bz2` };
}

const RECOVERY_TITLES: Record<Exclude<IotestRecovery, 'none'>, string> = {
  'qemu read-write open and close': 'a read-write open and close in qemu-io',
  'qemu-img check -r all': 'qemu-img check -r all',
};

/** The output a QEMU that keeps the crash properties prints: what the script must print to pass. */
export function renderExpectedOut(plan: IotestPlan, name: string): string {
  if (plan.damage) return renderDamageOut(name);
  const lines = [`QA output created by ${name}`];
  if (plan.recovery !== 'none') lines.push('', recoveryTitle(plan), 'exit status 0');
  lines.push('', '=== qemu-img check ===', plan.leaksAllowed ? NO_CORRUPTION_LINE : 'No errors were found on the image.');
  const w = plan.witness;
  if (w) {
    lines.push('', witnessTitle(plan));
    if (zerosOnly(plan)) lines.push(`read 512/512 bytes at offset ${w.guestOffsetBytes}`, '512 bytes, 1 ops; (timing filtered)');
    else lines.push(ALLOWED_LINE);
  }
  return lines.join('\n') + '\n';
}

const NO_CORRUPTION_LINE = 'no corruption (leaked clusters are allowed after a crash and not shown)';
const ALLOWED_LINE = 'holds a value the spec allows there';

function recoveryTitle(plan: IotestPlan): string {
  const title = RECOVERY_TITLES[plan.recovery as Exclude<IotestRecovery, 'none'>];
  return `=== Recovery${plan.insideRecoveryStateId !== null ? ' again' : ''}: ${title} ===`;
}

function witnessTitle(plan: IotestPlan): string {
  const w = plan.witness!;
  return `=== Guest sector ${w.sectorIndex} (offset 0x${w.guestOffsetBytes.toString(16)}) ===`;
}

function zerosOnly(plan: IotestPlan): boolean {
  const c = plan.witness?.candidates ?? [];
  return c.length === 1 && c[0].label === 'zeros';
}

/** The script; with `poke`, the form that builds the image itself and pokes the crash state into it. */
export function renderScript(plan: IotestPlan, name: string, poke: PokePlan | null = null): string {
  const files = iotestFileNames(name);
  const pokeSteps = poke === null ? [] : [...renderBuildFunction(poke.build), '', ...renderPokeFunctions(poke), ''];
  const prepare = poke === null ? [] : [...(plan.backing ? [`bzip2 -dc -- "$here/${files.backing}" > "$tmp/${plan.backing.fileName}" || exit 2`] : []), ...POKE_PREPARE_LINES, ''];
  return [
    '#!/usr/bin/env bash',
    '#',
    ...openingComment(plan, name, poke),
    '#',
    '# Needs bash, coreutils, bzip2, diff, sed, awk, qemu-img and qemu-io; $QEMU_IMG and $QEMU_IO name',
    '# the binaries (default: qemu-img and qemu-io on PATH). Exported by `crashcow export --iotest`.',
    `#   ./${name}`,
    `#       runs the test, compares its output with ${files.out}, prints PASS or FAIL (with the diff)`,
    '#       and exits 1 when they differ',
    `#   ./${name} --raw`,
    `#       prints the output only, for a harness that diffs it against ${files.out} itself (also`,
    '#       when TEST_DIR is set, as qemu-iotests\' check sets it)',
    '',
    `seq=${name}`,
    'here=$(cd -- "$(dirname -- "$0")" && pwd) || exit 2',
    'QEMU_IMG=${QEMU_IMG:-qemu-img}',
    'QEMU_IO=${QEMU_IO:-qemu-io}',
    'tmp=$(mktemp -d) || exit 2',
    'trap \'rm -rf -- "$tmp"\' EXIT',
    'img=$tmp/crash.qcow2',
    '',
    ...FILTER_FUNCTIONS,
    '',
    ...pokeSteps,
    ...(plan.damage ? renderDamageRunTest(plan, files.image, files.backing) : runTest(plan, files, poke !== null)),
    '',
    ...prepare,
    ...MAIN,
    '',
  ].join('\n');
}

function openingComment(plan: IotestPlan, name: string, poke: PokePlan | null): string[] {
  const c = plan.case;
  const v = c.violation;
  const recovery = plan.recovery === 'none' ? 'no recovery (the crash state itself is judged)' : RECOVERY_TITLES[plan.recovery];
  const inside = plan.insideRecoveryStateId !== null
    ? ` The image is already the state a crash left inside that recovery (crash state ${plan.insideRecoveryStateId} of the recovery's own writes), so the script runs the recovery again on it.`
    : '';
  const shows = [
    `${name}: what crashcow's property ${v.property} (${propertyTitles[v.property]}) forbids, and QEMU does: ${v.summary}`,
    ...(plan.damage ? damageParagraphs(plan, name) : [
    poke !== null
      ? `The script builds the crash state itself: qemu-img creates the image with the case's options and one qemu-io runs the case's first ${poke.build.opsBuilt} operations (up to the last flush before the crash) and is killed, with nothing closed or flushed. The image must then be the one crashcow's replay on QEMU (${plan.rebuiltWith}, over blklogwrites, every write that reached the file logged) had after ${poke.logEntriesBuilt} logged storage operations; the script checks its sha256 and, when it differs, prints LAYOUT DIFFERS and exits ${LAYOUT_STATUS} without running the test. Then printf and dd write the bytes of crash state ${plan.stateId} where they differ from that image: what the writes since the flush left, some kept, some dropped, some torn at sector boundaries, as a power loss may leave them.`
      : `The image ${name}.qcow2.bz2 is a crash state: crashcow replayed the case's operations on QEMU (${plan.rebuiltWith}) over blklogwrites, so every write that reached the file was logged, and built state ${plan.stateId} from the writes since the last flush: some kept, some dropped, some torn at sector boundaries, as a power loss may leave them.${inside}`,
    `The test runs ${recovery}, then shows the result with qemu-img check${plan.witness ? ` and reads guest sector ${plan.witness.sectorIndex}, which must hold ${plan.witness.candidates.map((x) => x.label).join(' or ')}` : ''}. ${name}.out is what a QEMU that keeps the property prints; while the defect is there, the output differs.`,
    ]),
    `crashcow found it by fuzzing QEMU (crashcow fuzz --engine qemu, campaign seed ${c.seed.campaign}), shrank it to the operations below and saved it as a case; \`crashcow replay\` and \`crashcow explain\` on that case reproduce and tell it.`,
  ];
  const out: string[] = [];
  for (const p of shows) out.push(...commentBlock(p), '#');
  out.push(`# Case file: ${commentText(plan.casePath)}`);
  if (c.name !== undefined) out.push(`# Case name: ${commentText(c.name)}`);
  out.push(`# Recorded with: ${commentText(c.engine.version)}`);
  out.push(`# Verdict recorded: ${v.property} [${commentText(v.rules.join(', '))}] at ${commentText(v.stage)}`);
  out.push('# Operations:');
  c.operations.forEach((op, i) => out.push(`#   ${i + 1}. ${commentText(describeOp(op))}`));
  if (c.note !== undefined) out.push('#', '# The case\'s note:', ...commentBlock(c.note));
  return out;
}

const FILTER_FUNCTIONS = [
  '# Puts fixed words in place of what changes from run to run in what QEMU prints: the temporary',
  '# folder, the binaries\' paths and the timing part of qemu-io\'s statistics line.',
  'filter() {',
  '    T=$tmp I=$QEMU_IMG O=$QEMU_IO awk \'',
  '        function swap(s, from, to,    i, out) {',
  '            if (from == "") return s',
  '            out = ""',
  '            while ((i = index(s, from)) > 0) { out = out substr(s, 1, i - 1) to; s = substr(s, i + length(from)) }',
  '            return out s',
  '        }',
  '        { print swap(swap(swap($0, ENVIRON["T"], "TEST_DIR"), ENVIRON["I"], "qemu-img"), ENVIRON["O"], "qemu-io") }\' |',
  '    sed -e \'s/^\\([0-9][0-9]* bytes, [0-9][0-9]* ops\\); .*$/\\1; (timing filtered)/\'',
  '}',
  '',
  '# Drops the lines of qemu-img check that depend on the layout rather than on its verdict.',
  'filter_check() {',
  '    sed -e \'/^Image end offset: /d\' -e \'/allocated, .* fragmented/d\'',
  '}',
  '',
  '# Also drops what qemu-img check says about leaked clusters (a crash may leave them).',
  'filter_leaks() {',
  '    sed -e \'/^Leaked cluster /d\' -e \'/leaked clusters\\{0,1\\} w[ae][rs]e* found on the image\\.$/d\' \\',
  '        -e \'/^This means waste of disk space, but no harm to data\\.$/d\' -e \'/^No errors were found on the image\\.$/d\' -e \'/^$/d\'',
  '}',
];

function runTest(plan: IotestPlan, files: ReturnType<typeof iotestFileNames>, poked: boolean): string[] {
  const out = ['run_test() {', '    echo "QA output created by $seq"', ...(poked ? POKE_START_LINES : [`    bzip2 -dc -- "$here/${files.image}" > "$img" || return 1`])];
  if (plan.backing && !poked) out.push(`    bzip2 -dc -- "$here/${files.backing}" > "$tmp/${plan.backing.fileName}" || return 1`);
  if (plan.recovery !== 'none') {
    const cmd = plan.recovery === 'qemu-img check -r all' ? '"$QEMU_IMG" check -f qcow2 -r all "$img"' : '"$QEMU_IO" -f qcow2 -t writethrough -c close "$img"';
    out.push(
      '',
      '    echo',
      `    echo ${shellWord(recoveryTitle(plan))}`,
      `    ${cmd} > "$tmp/recovery.log" 2>&1`,
      '    status=$?',
      '    echo "exit status $status"',
      '    [ "$status" -eq 0 ] || filter < "$tmp/recovery.log"',
    );
  }
  out.push('', '    echo', '    echo "=== qemu-img check ==="');
  if (plan.leaksAllowed) {
    out.push(
      '    "$QEMU_IMG" check -f qcow2 "$img" > "$tmp/check.log" 2>&1',
      '    status=$?',
      '    filter < "$tmp/check.log" | filter_check | filter_leaks',
      `    case $status in 0|3) echo ${shellWord(NO_CORRUPTION_LINE)} ;; *) echo "qemu-img check exit status $status" ;; esac`,
    );
  } else out.push('    "$QEMU_IMG" check -f qcow2 "$img" 2>&1 | filter | filter_check');
  const w = plan.witness;
  if (w) {
    out.push('', '    echo', `    echo ${shellWord(witnessTitle(plan))}`);
    if (zerosOnly(plan)) out.push(`    "$QEMU_IO" -f qcow2 -r -c 'read -P 0 ${w.guestOffsetBytes} 512' "$img" 2>&1 | filter`);
    else {
      const sums = w.candidates.map((x) => x.sha256Hex).join('|');
      out.push(
        `    # The sector must hold ${commentText(w.candidates.map((x) => x.label).join(' or '))}; their sha256 sums:`,
        ...w.candidates.map((x) => `    #   ${x.sha256Hex}  ${commentText(x.label)}`),
        '    rm -f -- "$tmp/sector"',
        '    # qemu-img dd counts count= from the start of the input, skipped blocks included.',
        `    "$QEMU_IMG" dd -f qcow2 -O raw bs=512 skip=${w.sectorIndex} count=${w.sectorIndex + 1} if="$img" of="$tmp/sector" 2>&1 | filter`,
        '    if [ -f "$tmp/sector" ]; then',
        '        sum=$(sha256sum < "$tmp/sector" | cut -d " " -f 1)',
        `        case $sum in ${sums}) echo ${shellWord(ALLOWED_LINE)} ;; *) echo "holds bytes the spec does not allow there (sha256 $sum)" ;; esac`,
        '    fi',
      );
    }
  }
  out.push('}');
  return out;
}

/** A fixed text of ours as one double-quoted word (it holds no `$`, backquote, backslash or quote). */
function shellWord(text: string): string {
  if (/["$`\\]/.test(text)) throw new Error(`not a plain text: ${text}`);
  return `"${text}"`;
}

const MAIN = [
  'if [ "${1-}" = --raw ] || [ -n "${TEST_DIR-}" ]; then',
  '    run_test',
  '    exit 0',
  'fi',
  'run_test > "$tmp/output" 2>&1',
  'if diff -u -- "$here/$seq.out" "$tmp/output" > "$tmp/diff"; then',
  '    echo "PASS: $seq"',
  '    exit 0',
  'fi',
  'echo "FAIL: $seq: the output differs from $seq.out (a correct QEMU prints $seq.out):"',
  'cat -- "$tmp/diff"',
  'exit 1',
];
