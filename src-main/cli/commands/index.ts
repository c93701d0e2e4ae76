import type { CliCommand } from '../command.js';

// Every subcommand, in the order `--help` lists them. Add one import and one entry per command.
export const commands: CliCommand[] = [];
