// The "remember password" store for the Electron app: the OS keychain through safeStorage. The file
// holds only ciphertext; without a real keychain (Linux with no secret service: safeStorage falls
// back to a hard-coded key) the password is kept in memory only, as in the browser host.
import { safeStorage } from 'electron';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createMemorySecretStore, type SecretStore } from '../core/settings.js';

export const SECRETS_FILE = 'secrets.json';

function keychainAvailable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  if (process.platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    return backend !== 'basic_text' && backend !== 'unknown';
  }
  return true;
}

export function createSecretStore(dir: string, log: (m: string) => void): SecretStore {
  if (!keychainAvailable()) {
    log('no OS keychain available: a remembered proxy password is kept in memory until ProxyScope closes.');
    return createMemorySecretStore();
  }
  const file = path.join(dir, SECRETS_FILE);
  let sealed: Record<string, string> = {};
  try {
    sealed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    // none saved yet
  }
  const persist = () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(sealed) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  };
  return {
    kind: 'keychain',
    get: (key) => {
      const v = sealed[key];
      if (v === undefined) return undefined;
      try {
        return safeStorage.decryptString(Buffer.from(v, 'base64'));
      } catch {
        return undefined; // sealed by another user or machine: as if never remembered
      }
    },
    set: (key, value) => {
      sealed[key] = safeStorage.encryptString(value).toString('base64');
      persist();
    },
    delete: (key) => {
      if (!(key in sealed)) return;
      delete sealed[key];
      persist();
    },
  };
}
