// The house rule: src-main/core never imports 'electron' (the CLI and the browser host use it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const core = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src-main/core');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|js|mjs|cjs)$/.test(n) ? [p] : [];
  });
}

test("nothing under src-main/core imports 'electron'", () => {
  const offenders = sources(core).filter((f) =>
    /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]electron(?:\/[^'"]*)?['"]/.test(
      readFileSync(f, 'utf8'),
    ),
  );
  assert.deepEqual(
    offenders.map((f) => path.relative(core, f)),
    [],
  );
});
