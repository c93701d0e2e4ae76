#!/usr/bin/env node
// `npm test`: make sure the Debian tools the suite uses are present (installing them when we are
// root on Debian), build the app, run every *.test.ts under test/ with node:test, and end with one
// summary line: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const required = [
  { pkg: 'chromium', probe: '/usr/bin/chromium' },
  { pkg: 'squid', probe: '/usr/sbin/squid' },
  { pkg: 'tshark', probe: '/usr/bin/tshark' },
  { pkg: 'tcpdump', probe: '/usr/bin/tcpdump' },
  { pkg: 'libpcap-dev', probe: '/usr/include/pcap/pcap.h' },
  { pkg: 'apache2-utils', probe: '/usr/bin/htdigest' },
  { pkg: 'iproute2', probe: '/usr/sbin/ip' },
  // Korean glyphs in the UI screenshots
  { pkg: 'fonts-nanum', probe: '/usr/share/fonts/truetype/nanum' },
];

function ensurePrerequisites() {
  const missing = required.filter((r) => !existsSync(r.probe)).map((r) => r.pkg);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const isDebian = existsSync('/etc/debian_version');
  if (!isRoot || !isDebian) {
    console.log(
      `test: missing system packages: ${missing.join(' ')}. Install them (Debian: sudo apt-get install ${missing.join(' ')}); tests that need them report themselves skipped.`,
    );
    return;
  }
  console.log(`test: installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0)
    console.log('test: apt-get failed; tests that need those packages report themselves skipped.');
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

ensurePrerequisites();

const buildResult = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (buildResult.status !== 0) {
  console.log('0 passed, 1 failed, 0 skipped');
  console.error('test: the build failed (see above).');
  process.exit(1);
}

// Unit tests are independent and run two at a time; integration and e2e tests share loopback
// ports, Squid and capture on `lo`, so they run one file at a time.
const only = process.argv.slice(2);
const groups = [
  { name: 'unit', dir: 'test/unit', concurrency: 2 },
  { name: 'integration', dir: 'test/integration', concurrency: 1 },
  { name: 'e2e', dir: 'test/e2e', concurrency: 1 },
];
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const g of groups) {
  let files = findTests(g.dir);
  if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
  if (files.length === 0) continue;
  const countsFile = path.join(tmpdir(), `proxyscope-test-counts-${process.pid}-${g.name}.json`);
  rmSync(countsFile, { force: true });
  console.log(`\n== ${g.name} tests (${files.length} files) ==`);
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${g.concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=./test/helpers/count-reporter.mjs',
      `--test-reporter-destination=${countsFile}`,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, PROXYSCOPE_TEST: '1' } },
  );
  let counts = { passed: 0, failed: r.status === 0 ? 0 : 1, skipped: 0 };
  try {
    counts = JSON.parse(readFileSync(countsFile, 'utf8'));
    if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  } catch {
    // the reporter never wrote: the run itself crashed, counted as one failure above
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
