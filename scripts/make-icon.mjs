#!/usr/bin/env node
// Renders resources/icons/icon.svg to the 512x512 PNG electron-builder packs (Debian's Chromium
// through playwright-core). Run after changing the SVG: `npm run icons`.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../resources/icons');
const svg = readFileSync(path.join(dir, 'icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 512, height: 512 } });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', '<svg width="512" height="512" ')}</body></html>`,
  );
  for (const name of ['icon.png', '512x512.png']) {
    await page.screenshot({
      path: path.join(dir, name),
      omitBackground: true,
      clip: { x: 0, y: 0, width: 512, height: 512 },
    });
  }
  console.log(`icons: wrote ${dir}/icon.png and 512x512.png`);
} finally {
  await browser.close();
}
