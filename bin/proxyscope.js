#!/usr/bin/env node
// Launcher for the `proxyscope` command: runs the built CLI (npm install runs the build).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const built = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli/main.js');
if (!existsSync(built)) {
  console.error('proxyscope: the CLI is not built yet. Run `npm run build` in the ProxyScope folder.');
  process.exit(1);
}
await import(pathToFileURL(built).href);
