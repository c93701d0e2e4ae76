// End to end in Debian's Chromium: a new user with no proxy picks the demo lab in Setup and every
// step works on it. The packet list grows while a capture runs (rows before Stop); "Capture while
// probing" on lo names acl-403's proxy-denied with evidence packets that open in the packet list;
// the healthy scenario gives ok. Screenshots in test-results/ (English and Korean).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumMissing } from './chromium.js';
import { liveCaptureMissing } from '../helpers/live-capture.js';
import { REPO_ROOT, openTestApp, type TestApp } from './app.js';
import type { Session } from '../../src-main/core/session.js';
import type { Host } from '../../src-main/host/server.js';

const results = path.join(REPO_ROOT, 'test-results');
const skip = chromiumMissing || liveCaptureMissing;

let app: TestApp | undefined;
let session: Session;
let host: Host;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  mkdirSync(results, { recursive: true });
  // a new user: an empty config folder, no proxy
  app = await openTestApp('proxyscope-e2e-lab-', { width: 1280, height: 900 });
  ({ session, host, page, pageErrors } = app);
});

after(async () => {
  await app?.close();
});

const rail = (name: string) => page.getByRole('button', { name, exact: true });
const rows = () => page.locator('[role=grid] [role=row][aria-rowindex]');

/** a few loopback TCP connections to the host: traffic the test makes on lo */
async function knock(port: number, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end());
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
  }
}

test(
  'a new user turns on the demo lab (acl-403) in Setup; Troubleshoot uses its values',
  { skip },
  async () => {
    await page.goto(host.url);
    const use = page.getByLabel('Use the built-in demo lab');
    await use.waitFor({ state: 'visible', timeout: 15_000 });
    const scenario = page.getByLabel('Scenario', { exact: true });
    const options = await scenario.locator('option').allInnerTexts();
    assert.equal(options.length, 12, 'the 12 lab scenarios');
    assert.ok(options.some((o) => /acl-403 — expects proxy-denied/.test(o)));
    await scenario.selectOption('acl-403');
    await use.check();
    const status = page.getByTestId('lab-status');
    await status.waitFor({ timeout: 20_000 });
    const lab = session.lab.status();
    assert.ok(lab.running && lab.proxy);
    assert.match(await status.innerText(), new RegExp(`127\\.0\\.0\\.1:${lab.proxy.port}`));
    await page.screenshot({ path: path.join(results, 'lab-setup.png') });

    await rail('Troubleshoot').click();
    const main = page.locator('main');
    await main
      .getByText(`curl -x http://127.0.0.1:${lab.proxy.port} -I https://tools.cisco.com`)
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Probe the proxy' }).click();
    await page.getByTestId('probe-verdict').filter({ hasText: 'proxy-denied' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(results, 'lab-troubleshoot.png') });
  },
);

test('Verify: the packet list grows while capturing, before Stop', { skip }, async () => {
  await rail('Verify').click();
  const iface = page.getByLabel('Interface', { exact: true });
  await iface.waitFor();
  assert.equal(await iface.inputValue(), 'lo', 'the lab is captured on the loopback interface');
  await page.getByLabel('Capture filter', { exact: true }).fill(`tcp port ${host.port}`);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByTestId('status-capture').filter({ hasText: 'running on lo' }).waitFor({ timeout: 15_000 });
  let seen = 0;
  for (let i = 0; i < 40 && seen < 10; i++) {
    await knock(host.port, 3);
    await new Promise((r) => setTimeout(r, 150));
    seen = await rows().filter({ hasText: '127.0.0.1' }).count();
  }
  assert.ok(seen >= 10, `rows while capturing (saw ${seen})`);
  assert.match(await page.getByTestId('status-capture').innerText(), /running on lo/, 'not stopped yet');
  await page.screenshot({ path: path.join(results, 'lab-live-capture.png') });
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.getByTestId('status-capture').filter({ hasText: 'idle' }).waitFor({ timeout: 15_000 });
  await page.getByLabel('Capture filter', { exact: true }).fill('');
});

test(
  'Verify: capture while probing names proxy-denied; its evidence opens in the packet list',
  { skip },
  async () => {
    await page.getByRole('button', { name: 'Capture while probing' }).click();
    const verdict = page.getByTestId('joined-issue');
    await verdict.filter({ hasText: 'proxy-denied' }).waitFor({ timeout: 45_000 });
    const panel = page.getByTestId('joined-verdict');
    assert.match(await panel.innerText(), /agree/);
    const evidence = panel.getByTestId('evidence').getByRole('button');
    assert.ok((await evidence.count()) > 0, 'evidence packets');
    const first = evidence.first();
    const no = Number(await first.getAttribute('title'));
    await first.click();
    const selected = page.locator('[role=grid] [role=row][aria-selected=true]');
    await selected
      .filter({ hasText: String(no) })
      .first()
      .waitFor({ timeout: 10_000 });
    assert.equal((await selected.first().locator('.c-no').innerText()).trim(), String(no));
    await page.screenshot({ path: path.join(results, 'lab-verify-acl-403.png'), fullPage: false });

    await rail('Known Issues').click();
    const known = page.getByTestId('joined-verdict');
    await known.getByTestId('joined-issue').filter({ hasText: 'proxy-denied' }).waitFor();
    await page.screenshot({ path: path.join(results, 'lab-known-acl-403.png') });
    // the evidence leads back to the packet list
    await known.getByTestId('evidence').getByRole('button').first().click();
    await page.locator('[role=grid] [role=row][aria-selected=true]').first().waitFor({ timeout: 10_000 });
  },
);

test('switching the scenario to healthy gives ok; Korean renders', { skip }, async () => {
  await rail('Setup').click();
  await page.getByLabel('Scenario', { exact: true }).selectOption('healthy');
  await page.getByTestId('lab-status').waitFor();
  for (let i = 0; i < 50 && session.lab.status().scenario !== 'healthy'; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(session.lab.status().scenario, 'healthy');
  await rail('Verify').click();
  await page.getByRole('button', { name: 'Capture while probing' }).click();
  await page
    .getByTestId('joined-issue')
    .filter({ hasText: /^\s*ok\b/ })
    .waitFor({ timeout: 45_000 });

  await page.getByRole('button', { name: 'KO', exact: true }).click();
  await page.getByRole('button', { name: '프로브하며 캡처' }).waitFor();
  await page.screenshot({ path: path.join(results, 'lab-verify-healthy-ko.png') });
  await page.getByRole('button', { name: 'EN', exact: true }).click();
  assert.deepEqual(pageErrors, [], 'no script errors in the page');
});
