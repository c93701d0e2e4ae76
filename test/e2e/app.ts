// The app as the e2e tests drive it: a session for a new user (empty config folder, English),
// the browser host serving the built renderer, and Chromium on it (the build is made if missing).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { Session } from '../../src-main/core/session.js';
import { createMemorySecretStore } from '../../src-main/core/settings.js';
import { startHost, type Host } from '../../src-main/host/server.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestApp {
  /** a temporary folder of the test's own (config, profile, files), removed by close() */
  dir: string;
  session: Session;
  host: Host;
  context: BrowserContext;
  page: Page;
  /** script errors the page reported */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openTestApp(
  tempPrefix: string,
  viewport: { width: number; height: number },
): Promise<TestApp> {
  if (!existsSync(path.join(REPO_ROOT, 'dist/renderer/index.html'))) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    assert.equal(r.status, 0, 'the build failed');
  }
  const dir = mkdtempSync(path.join(tmpdir(), tempPrefix));
  const session = new Session({
    transport: 'browser',
    configDir: path.join(dir, 'config'),
    secrets: createMemorySecretStore(),
    defaultLanguage: 'en',
    resourcesDir: path.join(REPO_ROOT, 'resources'),
  });
  const host = await startHost({ session, rendererDir: path.join(REPO_ROOT, 'dist/renderer') });
  const context = await launchChromium(path.join(dir, 'profile'), viewport);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return {
    dir,
    session,
    host,
    context,
    page,
    pageErrors,
    async close() {
      await context.close();
      await host.close();
      await session.lab.close();
      session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
