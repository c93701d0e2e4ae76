// The Electron app starts, shows the wizard with the Electron transport, and the page has no Node.
// Runs only when the Electron binary was downloaded (not with ELECTRON_SKIP_BINARY_DOWNLOAD=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function electronBinary(): string | undefined {
  try {
    // the package exports the binary's path, and throws when the binary was not downloaded
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
const skip = binary
  ? !existsSync(path.join(root, 'dist/electron/main.js'))
    ? 'the app is not built (npm run build)'
    : false
  : 'the Electron binary is not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `npm install` with it to run this test';

test('the Electron window shows the wizard over IPC, locked down', { skip }, async () => {
  const { _electron } = await import('playwright-core');
  const config = mkdtempSync(path.join(tmpdir(), 'proxyscope-electron-'));
  const app = await _electron.launch({
    executablePath: binary,
    args: [path.join(root, 'dist/electron/main.js'), '--no-sandbox', '--disable-gpu'],
    env: { ...process.env, PROXYSCOPE_CONFIG_DIR: config },
  });
  try {
    const page = await app.firstWindow();
    await page.getByLabel('HTTP Proxy', { exact: true }).waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('status-transport').textContent(), 'Electron');
    const exposed = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { proxyscope: object }).proxyscope).sort(),
      node: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    assert.deepEqual(exposed.keys, ['invoke', 'off', 'on']);
    assert.equal(exposed.node, 'undefined');
    assert.equal(exposed.process, 'undefined');
    const bad = await page.evaluate(() =>
      (
        window as unknown as { proxyscope: { invoke: (m: string, a: unknown) => Promise<unknown> } }
      ).proxyscope.invoke('settings.set', {
        proxy: { enabled: true, host: 'p', port: 0, useAuth: false, username: '', rememberPassword: false },
      }),
    );
    assert.match(JSON.stringify(bad), /BAD_ARGS.*proxy\.port/);
  } finally {
    await app.close();
    rmSync(config, { recursive: true, force: true });
  }
});
