// One build for everything that runs outside the renderer (esbuild), then the renderer (Vite).
// Entry points that do not exist yet are skipped so the build works while the tree grows.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);

const nodeEntries = [
  { in: 'src-main/cli/main.ts', out: 'dist/cli/main.js', format: 'esm' },
  { in: 'src-main/core/store/listing-worker.ts', out: 'dist/cli/listing-worker.js', format: 'esm' },
  { in: 'src-main/core/diagnose/diagnosis-worker.ts', out: 'dist/cli/diagnosis-worker.js', format: 'esm' },
  { in: 'src-main/host/main.ts', out: 'dist/host/main.js', format: 'esm' },
  { in: 'src-main/electron/main.ts', out: 'dist/electron/main.js', format: 'esm' },
  // the preload runs sandboxed (no require but 'electron'), so it is bundled with what it imports
  { in: 'src-main/electron/preload.ts', out: 'dist/electron/preload.cjs', format: 'cjs', bundleAll: true },
  { in: 'src-main/core/capture/helper-process.ts', out: 'dist/capture/helper-process.js', format: 'esm' },
];

const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8'));
const started = Date.now();
for (const e of nodeEntries) {
  if (!existsSync(at(e.in))) continue;
  await build({
    entryPoints: [at(e.in)],
    outfile: at(e.out),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: e.format,
    packages: e.bundleAll ? undefined : 'external',
    minify: e.bundleAll === true,
    external: ['electron'],
    sourcemap: true,
    define: { __APP_VERSION__: JSON.stringify(pkg.version) },
    logLevel: 'warning',
    banner:
      e.format === 'esm'
        ? {
            js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
          }
        : undefined,
  });
}

if (existsSync(at('src-renderer/index.html')) && !process.argv.includes('--main-only')) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: at('vite.config.ts'), logLevel: 'warn' });
}
console.log(`build: done in ${Date.now() - started} ms`);
