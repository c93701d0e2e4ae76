#!/usr/bin/env node
// `npm start`: build, then run the Electron app. Without the Electron binary (installed with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1, or no access to GitHub) say so in one line and serve the same
// UI to a browser instead, opening it when a browser is available.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

function electronBinary() {
  try {
    const p = createRequire(import.meta.url)('electron');
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined; // the package throws when its binary was never downloaded
  }
}

const binary = electronBinary();
const passthrough = process.argv.slice(2);
let child;
if (binary) {
  child = spawn(binary, [root, ...passthrough], { cwd: root, stdio: 'inherit' });
} else {
  console.log(
    'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?): starting the browser UI instead.',
  );
  child = spawn(process.execPath, [path.join(root, 'dist/host/main.js'), '--open', ...passthrough], {
    cwd: root,
    stdio: 'inherit',
  });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
