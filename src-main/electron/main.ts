// The Electron shell: one window on the built renderer, locked down (context isolation, sandbox,
// no Node in the page, CSP, no navigation, no new windows, https links to the system browser),
// the contract over IPC, and the menu. All logic lives in core/.
import { app, BrowserWindow, Menu, session as electronSession, shell, utilityProcess } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { channelFromUtilityProcess, type UtilityProcessLike } from '../core/capture/index.js';
import { configDir } from '../core/settings.js';
import { Session } from '../core/session.js';
import { HOST_CSP } from '../host/csp.js';
import { registerIpc } from './ipc.js';
import { buildMenu } from './menu.js';
import { createSecretStore } from './secret-store.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pagePath = path.resolve(here, '../renderer/index.html');
const pageUrl = pathToFileURL(pagePath).href;
const log = (m: string) => process.stderr.write(`proxyscope: ${m}\n`);

let window: BrowserWindow | null = null;

function openExternalIfHttps(url: string): void {
  try {
    if (new URL(url).protocol === 'https:') void shell.openExternal(url);
  } catch {
    // not a URL: ignore
  }
}

function lockDown(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      openExternalIfHttps(url);
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      openExternalIfHttps(url);
      return { action: 'deny' };
    });
  });
  const ses = electronSession.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [HOST_CSP] } });
  });
  // the page is local; anything else it tries to fetch is refused
  ses.webRequest.onBeforeRequest((details, callback) => {
    const ok = details.url.startsWith('file://') || details.url.startsWith('devtools://');
    callback({ cancel: !ok });
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  lockDown();
  const dir = configDir();
  const session = new Session({
    transport: 'electron',
    configDir: dir,
    secrets: createSecretStore(dir, log),
    defaultLanguage: app.getLocale().startsWith('ko') ? 'ko' : 'en',
    versions: { electron: process.versions.electron, chrome: process.versions.chrome },
    resourcesDir: path.join(app.getAppPath(), 'resources'),
    // the capture helper runs as an Electron utility process (the app has no plain `node` to fork)
    captureHelperLauncher: (helperPath) =>
      channelFromUtilityProcess(
        utilityProcess.fork(helperPath, [], {
          stdio: 'pipe',
          serviceName: 'ProxyScope capture',
        }) as unknown as UtilityProcessLike,
      ),
    log,
  });
  const getWindow = () => window;
  registerIpc(session, getWindow, pageUrl);
  Menu.setApplicationMenu(buildMenu(session, getWindow, dir));

  const create = () => {
    window = new BrowserWindow({
      width: 1280,
      height: 820,
      minWidth: 900,
      minHeight: 560,
      title: 'ProxyScope',
      show: false,
      backgroundColor: '#1e1f22',
      webPreferences: {
        preload: path.join(here, 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => (window = null));
    void window.loadURL(pageUrl);
  };
  create();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) create();
  });
  app.on('window-all-closed', () => {
    session.close();
    app.quit();
  });
}

start().catch((e: unknown) => {
  log(`failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  app.exit(1);
});
