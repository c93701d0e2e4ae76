// Debian's Chromium driven by playwright-core, as every e2e test launches it: headless, as root
// (no sandbox), and without the background networking this machine's closed network refuses:
// nothing it does leaves the machine.
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the e2e tests cannot run here, or false when they can. */
export const chromiumMissing: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing (apt-get install chromium)`;

export function launchChromium(
  profileDir: string,
  viewport: { width: number; height: number },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-default-apps',
      '--disable-extensions',
      '--disable-domain-reliability',
      '--disable-client-side-phishing-detection',
      '--disable-breakpad',
      '--no-pings',
      '--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter',
      // no name reaches a resolver: Chromium's own services (autofill, accounts, updates) would
      // otherwise ask the system's DNS server; the app is on 127.0.0.1
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
    viewport,
    locale: 'en-US',
    colorScheme: 'light',
  });
}
