import type { CliCommand } from '../command.js';
import { analyzeCommand } from './analyze.js';
import { captureCommand } from './capture.js';
import { interfacesCommand } from './interfaces.js';
import { labCommand } from './lab.js';
import { probeCommand } from './probe.js';

// Every subcommand, in the order `--help` lists them. Add one import and one entry per command.
export const commands: CliCommand[] = [
  analyzeCommand,
  captureCommand,
  interfacesCommand,
  probeCommand,
  labCommand,
];
