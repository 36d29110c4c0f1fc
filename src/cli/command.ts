/**
 * Command: one `crashcow <name>` subcommand. Thin: parse, call, print.
 *
 * `run` resolves to the process exit code. It throws UsageError for a user mistake (the CLI
 * prints it with `usage` and exits `usageExitCode`, default 2); a FormatError escaping a command is
 * printed as "crashcow <name>: <rule> at <where>: ..." (exit 1 unless the command maps it).
 * Anything else is our bug and crashes with a stack trace.
 */
export interface Command {
  name: string;
  /** One line for `crashcow help`. */
  summary: string;
  /** Usage synopsis, e.g. "crashcow check [--output human|json] IMAGE". */
  usage: string;
  usageExitCode?: number;
  run(argv: string[]): Promise<number>;
}
