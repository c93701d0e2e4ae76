import { commands } from './commands/index.js';
import { UsageError, type CliIo } from './command.js';
import { APP_VERSION } from '../core/version.js';

// `proxyscope analyze big.pcap | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const io: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

function helpText(): string {
  const width = Math.max(10, ...commands.map((c) => c.name.length));
  const lines = [
    `ProxyScope ${APP_VERSION} — troubleshoot an appliance's explicit HTTP proxy`,
    '',
    'Usage: proxyscope <command> [options]',
    '       proxyscope --version | --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `proxyscope <command> --help` for the options of one command.',
  ];
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(helpText());
    return first === undefined ? 1 : 0;
  }
  if (first === '--version' || first === '-V' || first === '-v') {
    io.out(APP_VERSION);
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.err(`proxyscope: unknown command '${first}'. Run \`proxyscope --help\` for the list of commands.`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`proxyscope ${command.name}: ${e.message}\n\n${command.usage}`);
      return 1;
    }
    io.err(`proxyscope ${command.name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`proxyscope: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
