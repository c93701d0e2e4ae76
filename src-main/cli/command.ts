// What a `proxyscope` subcommand is. Each one lives in commands/<name>.ts and is listed in
// commands/index.ts; main.ts only parses the first word and dispatches.

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface CliCommand {
  name: string;
  /** one line for `proxyscope --help` */
  summary: string;
  /** full usage text for `proxyscope NAME --help` */
  usage: string;
  /** returns the process exit code (0 ok, 1 bad usage or unreadable input, 2 a known issue found) */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A usage mistake: main prints the message and the command's usage, and exits 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}
