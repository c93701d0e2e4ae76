// `npm run start:web` (and `npm start` without the Electron binary): serve the app to a browser.
// Usage: node dist/host/main.js [--port N] [--open]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemorySecretStore, configDir } from '../core/settings.js';
import { Session } from '../core/session.js';
import { startHost } from './server.js';
import { openInBrowser } from './open-url.js';

function parseArgs(argv: string[]): { port: number; open: boolean } {
  let port = 0;
  let open = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--open') open = true;
    else if (a === '--port') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new Error(`--port needs a number from 0 to 65535, got '${argv[i] ?? ''}'`);
      port = n;
    } else throw new Error(`unknown option '${a}'. Options: --port N, --open`);
  }
  return { port, open };
}

async function run(): Promise<void> {
  const { port, open } = parseArgs(process.argv.slice(2));
  const here = path.dirname(fileURLToPath(import.meta.url));
  const session = new Session({
    transport: 'browser',
    configDir: configDir(),
    // The browser host never writes a password anywhere: "remember" lasts as long as this process.
    secrets: createMemorySecretStore(),
    resourcesDir: path.resolve(here, '../../resources'),
    log: (m) => process.stderr.write(`proxyscope host: ${m}\n`),
  });
  const host = await startHost({ session, rendererDir: path.resolve(here, '../renderer'), port });
  process.stdout.write(`ProxyScope is running at ${host.url}\n`);
  if (open && !openInBrowser(host.url))
    process.stdout.write('No browser to open here: open the URL above in one.\n');
  const stop = () => {
    session.close();
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

run().catch((e: unknown) => {
  process.stderr.write(`proxyscope host: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
