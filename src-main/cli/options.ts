// The option loop and value checks every subcommand shares, so `--flag value`, `--flag=value`
// and the messages for a missing or bad value read the same in every command.
import { readFileSync } from 'node:fs';
import { UsageError } from './command.js';

export interface CliOption {
  /** the option as typed, without an `=value` part (`--port` for `--port=3128`) */
  flag: string;
  /** the option's value: after `=`, else the next argument; none is a UsageError */
  value(): string;
}

export interface OptionLoopSettings {
  /** a next argument that starts with `--` is the next option, not this one's value */
  refuseFlagAsValue?: boolean;
}

/** Calls `onOption` for each argument; `value()` consumes the option's value. */
export function forEachOption(
  args: string[],
  onOption: (option: CliOption) => void,
  settings: OptionLoopSettings = {},
): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    onOption({
      flag,
      value: () => {
        if (eq > 0) return arg.slice(eq + 1);
        const v = args[++i];
        if (v === undefined || (settings.refuseFlagAsValue && v.startsWith('--'))) {
          throw new UsageError(`${flag} needs a value.`);
        }
        return v;
      },
    });
  }
}

/** An option no command knows. Names the flag only: the value of `--pasword=...` may be a secret. */
export function unknownOption(flag: string): UsageError {
  return new UsageError(`unknown option '${flag}'.`);
}

/** A number > 0, or a UsageError that names the flag and what was given. */
export function positiveNumber(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} needs a positive number (got ${v ?? 'nothing'}).`);
  }
  return n;
}

/** The text of a file named by an option; an unreadable one is a UsageError naming flag and file. */
export function readOptionFile(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = (code && FILE_ERRORS[code]) ?? code ?? (e as Error).message;
    throw new UsageError(`${flag}: cannot read ${file}: ${why}.`);
  }
}

/** what the usual read errors mean, and what to do about them */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file (check the path)',
  EACCES: 'permission denied (check the file mode, or run as a user who may read it)',
  EISDIR: 'it is a folder; give the file in it',
};

/** Runs a core parser and turns its Error into a UsageError (main then prints the usage). */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}
