// The app version, injected by the build from package.json; tests running the sources read it directly.
import { createRequire } from 'node:module';

declare const __APP_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __APP_VERSION__ === 'string') return __APP_VERSION__;
  const require = createRequire(import.meta.url);
  for (const rel of ['../../package.json', '../package.json', '../../../package.json']) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === 'proxyscope' && pkg.version) return pkg.version;
    } catch {
      // try the next location: the sources and the bundles sit at different depths
    }
  }
  return '0.0.0';
}

export const APP_VERSION: string = readVersion();
