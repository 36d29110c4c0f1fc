/**
 * The exported test of a damage case, as text: its expected output and run_test. run_test unpacks
 * the clean image, writes the damage's bytes with printf and dd, runs `qemu-img check -r all` and,
 * when it reports success, `qemu-img check`. P7 allows two outcomes (a repair after which the image
 * checks clean, or a refusal, exit 1, saying why), so the script prints one fixed line for either
 * and, for anything else, what went wrong and what qemu-img printed.
 */
import type { IotestDamage, IotestDamagePatch } from './damage-plan.js';
import type { IotestPlan } from './iotest-plan.js';
import { printfLines } from './poke-script.js';

const TITLE = '=== Damage, then qemu-img check -r all, then qemu-img check ===';
/** The line both allowed outcomes print. */
const KEPT_LINE = 'repaired and then checked clean, or refused saying why';

/** The output a QEMU that keeps P7 prints. */
export function renderDamageOut(name: string): string {
  return [`QA output created by ${name}`, '', TITLE, KEPT_LINE].join('\n') + '\n';
}

/** run_test of a damage case; `imageFile` and `backingFile` are the shipped bzip2 files. */
export function renderDamageRunTest(plan: IotestPlan, imageFile: string, backingFile: string): string[] {
  const d = plan.damage!;
  const out = ['run_test() {', '    echo "QA output created by $seq"', `    bzip2 -dc -- "$here/${imageFile}" > "$img" || return 1`];
  if (plan.backing) out.push(`    bzip2 -dc -- "$here/${backingFile}" > "$tmp/${plan.backing.fileName}" || return 1`);
  out.push('', '    # The damage, byte by byte, at its offsets in the file.');
  for (const p of d.patches) out.push(...patchLines(p));
  if (d.fileSizeBytes !== null) out.push(`    truncate -s ${d.fileSizeBytes} "$img" || return 1`);
  out.push(
    '',
    '    echo',
    `    echo "${TITLE}"`,
    '    "$QEMU_IMG" check -f qcow2 -r all "$img" > "$tmp/repair.log" 2>&1',
    '    status=$?',
    '    case $status in',
    '    0) ;;',
    `    1) if [ -s "$tmp/repair.log" ]; then echo "${KEPT_LINE}"; else echo "qemu-img check -r all refused (exit status 1) without saying why"; fi; return 0 ;;`,
    '    *) echo "qemu-img check -r all neither repaired nor refused (exit status $status); it printed:"; filter < "$tmp/repair.log" | filter_check; return 0 ;;',
    '    esac',
    '    if ! "$QEMU_IMG" check -f qcow2 "$img" > "$tmp/check.log" 2>&1; then',
    '        echo "qemu-img check -r all reported success (exit status 0), but qemu-img check then says:"',
    '        filter < "$tmp/check.log" | filter_check',
    '        return 0',
    '    fi',
  );
  if (d.checkBits) out.push(...bitsLines(d));
  out.push(`    echo "${KEPT_LINE}"`, '}');
  return out;
}

function patchLines(p: IotestDamagePatch): string[] {
  return ['    {', ...printfLines(p.after, '        '), `    } | dd of="$img" bs=4096 seek=${p.offsetBytes} oflag=seek_bytes conv=notrunc status=none || return 1`];
}

/**
 * After a repair that reported success: the damaged bits still as the damage set them mean the
 * repair left what crashcow's check names (qemu-img check does not report it).
 */
function bitsLines(d: IotestDamage): string[] {
  const out = ['    # A repair must not leave the flipped bits as the damage set them: crashcow\'s check names', '    # the entry they are in, although qemu-img check does not report it.', '    damaged=1'];
  for (const p of d.patches) {
    out.push(`    read -r -a b <<< "$(od -An -v -tu1 -j ${p.offsetBytes} -N ${p.after.length} "$img")"`);
    p.after.forEach((after, k) => {
      const mask = after ^ p.before[k];
      if (mask !== 0) out.push(`    [ $(( \${b[${k}]:-0} & ${mask} )) -eq ${after & mask} ] || damaged=0`);
    });
  }
  out.push(
    '    if [ "$damaged" -eq 1 ]; then',
    `        echo "qemu-img check -r all reported success and qemu-img check finds no errors, but the damaged bits (${d.patches.map((p) => `0x${p.offsetBytes.toString(16)}`).join(', ')}) are still as the damage set them"`,
    '        return 0',
    '    fi',
  );
  return out;
}

/** What the opening comment says of a damage case's image and test (free text: it goes through commentBlock). */
export function damageParagraphs(plan: IotestPlan, name: string): string[] {
  const d = plan.damage!;
  const bytes = d.patches.reduce((n, p) => n + p.after.length, 0);
  return [
    `The image ${name}.qcow2.bz2 is clean: crashcow replayed the case's operations on QEMU (${plan.rebuiltWith}) and closed the image cleanly. The script then damages it as the case records (${d.kind}, ${d.where}: ${bytes} byte${bytes === 1 ? '' : 's'} written with printf and dd${d.fileSizeBytes !== null ? ', then the file cut to its damaged size' : ''}), as damaged media may leave it.`,
    `The test runs qemu-img check -r all on the damaged image. crashcow's property P7 allows a repair (exit 0) after which qemu-img check finds no errors${d.checkBits ? ' and the damaged bits are gone' : ''}, or a refusal (exit 1) that says why; either prints the line ${name}.out holds. Anything else prints what went wrong and what qemu-img said, so the output differs while the defect is there.`,
  ];
}
