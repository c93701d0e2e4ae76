// The user's settings: a JSON file in the per-user config folder. The proxy password is never in
// that file; when the user asks to remember it, it goes to a SecretStore (the OS keychain through
// Electron's safeStorage, or this process's memory in the browser host).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  ApiError,
  proxySettingsSchema,
  uiSettingsSchema,
  type Language,
  type ProxySettings,
  type SettingsSetArgs,
  type SettingsView,
  type UiSettings,
} from './api.js';

export const SETTINGS_FILE = 'settings.json';
const PASSWORD_KEY = 'proxy.password';

/** Where ProxyScope keeps per-user files; PROXYSCOPE_CONFIG_DIR overrides it (tests, portable use). */
export function configDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.PROXYSCOPE_CONFIG_DIR) return path.resolve(env.PROXYSCOPE_CONFIG_DIR);
  const home = os.homedir();
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'ProxyScope');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'ProxyScope');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'ProxyScope');
}

/** Somewhere to keep a secret that is not a plain-text file. */
export interface SecretStore {
  readonly kind: 'keychain' | 'memory';
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** Secrets that live only as long as this process (the browser host, or no keychain available). */
export function createMemorySecretStore(): SecretStore {
  const values = new Map<string, string>();
  return {
    kind: 'memory',
    get: (k) => values.get(k),
    set: (k, v) => void values.set(k, v),
    delete: (k) => void values.delete(k),
  };
}

const fileSchema = z.object({
  proxy: proxySettingsSchema,
  ui: uiSettingsSchema,
});
type SettingsFile = z.infer<typeof fileSchema>;

export function defaultSettings(language: Language = 'en'): SettingsFile {
  return {
    proxy: { enabled: false, host: '', port: 3128, useAuth: false, username: '', rememberPassword: false },
    ui: { language },
  };
}

export interface SettingsStoreOptions {
  dir: string;
  secrets: SecretStore;
  /** the language to start with when no settings were saved yet */
  defaultLanguage?: Language;
}

export class SettingsStore {
  readonly file: string;
  private current: SettingsFile;
  /** why the saved file was not used, when it was unreadable (shown once, then replaced on save) */
  readonly loadProblem: string | undefined;

  constructor(private readonly options: SettingsStoreOptions) {
    this.file = path.join(options.dir, SETTINGS_FILE);
    const loaded = this.load();
    this.current = loaded.settings;
    this.loadProblem = loaded.problem;
  }

  private load(): { settings: SettingsFile; problem?: string } {
    const defaults = defaultSettings(this.options.defaultLanguage);
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return { settings: defaults };
    }
    try {
      const raw = JSON.parse(text) as { proxy?: unknown; ui?: unknown };
      const merged = {
        proxy: { ...defaults.proxy, ...(typeof raw.proxy === 'object' ? raw.proxy : {}) },
        ui: { ...defaults.ui, ...(typeof raw.ui === 'object' ? raw.ui : {}) },
      };
      return { settings: fileSchema.parse(merged) };
    } catch (e) {
      // Keep the unreadable file for the user to inspect; start from the defaults.
      const aside = `${this.file}.unreadable`;
      try {
        renameSync(this.file, aside);
      } catch {
        // leave it where it is; the next save replaces it
      }
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      return {
        settings: defaults,
        problem: `${this.file} was unreadable (${why}); kept as ${aside}, using defaults.`,
      };
    }
  }

  view(): SettingsView {
    const remembered = this.current.proxy.rememberPassword
      ? this.options.secrets.get(PASSWORD_KEY)
      : undefined;
    return {
      proxy: {
        ...this.current.proxy,
        password: remembered ?? '',
        passwordStorage: remembered === undefined ? 'none' : this.options.secrets.kind,
      },
      ui: { ...this.current.ui },
    };
  }

  /** The password to use now: the remembered one, if any. Never logged. */
  rememberedPassword(): string | undefined {
    return this.current.proxy.rememberPassword ? this.options.secrets.get(PASSWORD_KEY) : undefined;
  }

  update(args: SettingsSetArgs): SettingsView {
    const next: SettingsFile = { proxy: { ...this.current.proxy }, ui: { ...this.current.ui } };
    if (args.proxy) {
      const { password, ...proxy } = args.proxy;
      next.proxy = proxy satisfies ProxySettings;
      if (!proxy.rememberPassword || !proxy.useAuth) this.options.secrets.delete(PASSWORD_KEY);
      else if (password !== undefined) {
        if (password === '') this.options.secrets.delete(PASSWORD_KEY);
        else this.options.secrets.set(PASSWORD_KEY, password);
      }
    }
    if (args.ui) next.ui = args.ui satisfies UiSettings;
    this.save(next);
    this.current = next;
    return this.view();
  }

  private save(settings: SettingsFile): void {
    try {
      mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ApiError(
        'IO',
        `Could not save the settings to ${this.file}: ${why}`,
        'Check that the folder exists and is writable, or set PROXYSCOPE_CONFIG_DIR to another folder.',
      );
    }
  }
}
