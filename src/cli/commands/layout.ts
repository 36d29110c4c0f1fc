/**
 * `crashcow layout [--output human|json] [--html OUT.html] IMAGE`: the image's host clusters by
 * role (from spec/'s reference walk, never an engine), counted, with the clusters the checker's
 * findings name marked broken; `--html` draws them as a self-contained page. Read-only. Exit 0 when
 * the layout is told, 1 when the image cannot be read or interpreted, 2 for a usage mistake.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import layoutSchema from '../../../spec/schemas/layout.schema.json' with { type: 'json' };
import { printable } from '../../explain/format-explanation.js';
import { FileByteSource } from '../../io/file-byte-source.js';
import { formatLayout } from '../../report/format-layout.js';
import { layoutPage } from '../../report/layout-page.js';
import { layoutAnalysis } from '../../report/layout-report.js';
import type { Command } from '../command.js';
import { flagChoice, flagValue, parseArgs } from '../parse-args.js';
import { checkHtmlPath, writeHtml } from './html-out.js';
import { positionals } from './image-command.js';

export const layoutCommand: Command = {
  name: 'layout',
  summary: 'count and draw an image\'s host clusters by role (header, L1, L2, refcounts, snapshots, data, free, leaked), findings marked broken',
  usage: 'crashcow layout [--output human|json] [--html OUT.html] IMAGE',
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, [
      { name: 'output', takesValue: true },
      { name: 'html', takesValue: true },
    ]);
    const output = flagChoice(args, 'output', ['human', 'json'] as const, 'human');
    const htmlPath = flagValue(args, 'html');
    if (htmlPath !== undefined) checkHtmlPath(htmlPath);
    const [path] = positionals(args, ['IMAGE']);
    let source: FileByteSource;
    try {
      source = new FileByteSource(path);
    } catch (err) {
      process.stderr.write(`crashcow layout: cannot open ${printable(path)}: ${printable((err as Error).message)}\n`);
      return 1;
    }
    try {
      const analysis = layoutAnalysis(source, path);
      if (analysis === null) {
        process.stderr.write(`crashcow layout: ${printable(path)}: cluster 0 is not a qcow2 header this walk can read (see crashcow check ${printable(path)})\n`);
        return 1;
      }
      if (htmlPath !== undefined && !writeHtml('layout', htmlPath, layoutPage(analysis, source))) return 1;
      if (output === 'json') {
        assertLayout(analysis.report);
        process.stdout.write(JSON.stringify(analysis.report, null, 2) + '\n');
      } else process.stdout.write(formatLayout(analysis.report, printable));
      return 0;
    } finally {
      source.close();
    }
  },
};

let validator: ValidateFunction | undefined;

/** The JSON output is checked against its schema before it leaves (a mismatch is our bug). */
function assertLayout(value: unknown): void {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(layoutSchema);
  if (!validator(value)) throw new Error(`layout output breaks spec/schemas/layout.schema.json: ${JSON.stringify(validator.errors?.slice(0, 3))}`);
}
