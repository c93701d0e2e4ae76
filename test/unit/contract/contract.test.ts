// The contract plumbing as both transports use it: validation naming the field, unknown methods,
// the envelope round trip, settings on disk without the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ApiError,
  EVENT_NAMES,
  METHOD_NAMES,
  methods,
  isEnvelope,
  unwrap,
  type Envelope,
  type SettingsView,
} from '../../../src-main/core/api.js';
import { createDispatcher, type MethodHandlers } from '../../../src-main/core/api-dispatch.js';
import { Session } from '../../../src-main/core/session.js';
import { configDir, createMemorySecretStore, SETTINGS_FILE } from '../../../src-main/core/settings.js';

const SECRET = 'S3cr3t!pass-for-test';

function withSession(fn: (session: Session, dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-contract-'));
    const session = new Session({ transport: 'browser', configDir: dir, secrets: createMemorySecretStore() });
    try {
      await fn(session, dir);
    } finally {
      session.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const goodProxy = {
  enabled: true,
  host: 'proxy.example.test',
  port: 3128,
  useAuth: true,
  username: 'fmc-admin',
  rememberPassword: false,
};

test(
  'a bad argument is rejected with BAD_ARGS naming the field',
  withSession(async (session) => {
    const env = await session.dispatch('settings.set', { proxy: { ...goodProxy, port: 70000 } });
    assert.equal(env.ok, false);
    if (env.ok) return;
    assert.equal(env.error.code, 'BAD_ARGS');
    assert.match(env.error.message, /proxy\.port/);
    assert.match(env.error.hint ?? '', /proxy\.port/);

    const wrongType = await session.dispatch('settings.set', { proxy: { ...goodProxy, enabled: 'yes' } });
    assert.ok(!wrongType.ok && /proxy\.enabled/.test(wrongType.error.message));

    const badHost = await session.dispatch('settings.set', {
      proxy: { ...goodProxy, host: 'proxy host;rm -rf' },
    });
    assert.ok(!badHost.ok && /proxy\.host/.test(badHost.error.message));

    const badLang = await session.dispatch('settings.set', { ui: { language: 'fr' } });
    assert.ok(!badLang.ok && /ui\.language/.test(badLang.error.message));

    const extra = await session.dispatch('app.info', { surprise: 1 });
    assert.ok(!extra.ok && extra.error.code === 'BAD_ARGS');
  }),
);

test(
  'an unknown method is refused with UNKNOWN_METHOD',
  withSession(async (session) => {
    for (const method of ['settings.delete', '__proto__', 'constructor', 42, undefined]) {
      const env = await session.dispatch(method, {});
      assert.equal(env.ok, false, String(method));
      if (!env.ok) assert.equal(env.error.code, 'UNKNOWN_METHOD');
    }
  }),
);

test('the envelope round-trips: data on success, a thrown ApiError with the same code on failure', async () => {
  const handlers = {
    'app.info': () => {
      throw new ApiError('NOT_CONNECTED', 'engine missing', 'wire it');
    },
    'interfaces.list': () => [],
    'settings.get': () => {
      throw new Error('disk on fire');
    },
    'settings.set': () => {
      throw new Error('unused');
    },
  } as unknown as MethodHandlers;
  const dispatch = createDispatcher(handlers);
  // through JSON, as the WebSocket carries it; structured clone (IPC) keeps the same shape
  const over = async (m: string): Promise<Envelope<unknown>> =>
    JSON.parse(JSON.stringify(await dispatch(m, undefined))) as Envelope<unknown>;

  const ok = await over('interfaces.list');
  assert.ok(isEnvelope(ok));
  assert.deepEqual(unwrap(ok), []);

  const failed = await over('app.info');
  assert.ok(isEnvelope(failed));
  assert.throws(
    () => unwrap(failed),
    (e: unknown) =>
      e instanceof ApiError &&
      e.code === 'NOT_CONNECTED' &&
      e.message === 'engine missing' &&
      e.hint === 'wire it',
  );

  const internal = await over('settings.get');
  assert.throws(
    () => unwrap(internal),
    (e: unknown) => e instanceof ApiError && e.code === 'INTERNAL' && /disk on fire/.test(e.message),
  );
  assert.equal(isEnvelope({ ok: false, error: { code: 1 } }), false);
});

test(
  'app.info and interfaces.list answer from the real system',
  withSession(async (session) => {
    const info = unwrap(await session.dispatch('app.info', {})) as {
      name: string;
      version: string;
      transport: string;
    };
    assert.equal(info.name, 'ProxyScope');
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.equal(info.transport, 'browser');
    const list = unwrap(await session.dispatch('interfaces.list', undefined)) as {
      name: string;
      loopback: boolean;
    }[];
    assert.ok(
      list.some((i) => i.loopback),
      'the loopback interface is listed',
    );
    assert.ok(METHOD_NAMES.includes('settings.set'));
  }),
);

test(
  'settings persist as JSON in the config folder, without the password',
  withSession(async (session, dir) => {
    const set = unwrap(
      await session.dispatch('settings.set', { proxy: { ...goodProxy, password: SECRET } }),
    ) as SettingsView;
    assert.equal(set.proxy.password, '', 'not remembered: the password is not kept');
    assert.equal(set.proxy.passwordStorage, 'none');

    const remembered = unwrap(
      await session.dispatch('settings.set', {
        proxy: { ...goodProxy, rememberPassword: true, password: SECRET },
      }),
    ) as SettingsView;
    assert.equal(remembered.proxy.password, SECRET);
    assert.equal(remembered.proxy.passwordStorage, 'memory');

    const onDisk = readFileSync(path.join(dir, SETTINGS_FILE), 'utf8');
    const saved = JSON.parse(onDisk) as { proxy: Record<string, unknown> };
    assert.equal(saved.proxy.host, 'proxy.example.test');
    assert.equal(saved.proxy.port, 3128);
    assert.equal(saved.proxy.rememberPassword, true);
    for (const f of readdirSync(dir)) {
      assert.ok(
        !readFileSync(path.join(dir, f), 'utf8').includes(SECRET),
        `${f} must not contain the password`,
      );
    }

    // a new session (restart) reads the file back; a memory-kept password does not survive it
    const again = new Session({ transport: 'browser', configDir: dir, secrets: createMemorySecretStore() });
    const view = unwrap(await again.dispatch('settings.get', {})) as SettingsView;
    assert.equal(view.proxy.host, 'proxy.example.test');
    assert.equal(view.proxy.username, 'fmc-admin');
    assert.equal(view.proxy.password, '');
    again.close();

    // un-remembering forgets it
    const forgot = unwrap(
      await session.dispatch('settings.set', { proxy: { ...goodProxy } }),
    ) as SettingsView;
    assert.equal(forgot.proxy.password, '');
  }),
);

test(
  'an unreadable settings file is set aside, not fatal',
  withSession(async (_session, dir) => {
    writeFileSync(path.join(dir, SETTINGS_FILE), '{ not json');
    const s = new Session({ transport: 'browser', configDir: dir, secrets: createMemorySecretStore() });
    const view = unwrap(await s.dispatch('settings.get', {})) as SettingsView;
    assert.equal(view.proxy.enabled, false);
    assert.match(s.settings.loadProblem ?? '', /unreadable/);
    s.close();
  }),
);

test("the preload's name lists match the contract", () => {
  assert.deepEqual([...METHOD_NAMES].sort(), Object.keys(methods).sort());
  assert.ok(EVENT_NAMES.includes('capture.progress') && EVENT_NAMES.includes('packets.progress'));
});

test('the config folder follows the platform, and PROXYSCOPE_CONFIG_DIR overrides it', () => {
  assert.equal(configDir({ PROXYSCOPE_CONFIG_DIR: '/tmp/x' }, 'linux'), '/tmp/x');
  assert.equal(configDir({ XDG_CONFIG_HOME: '/home/a/.cfg' }, 'linux'), '/home/a/.cfg/ProxyScope');
  assert.match(configDir({}, 'linux'), /\.config\/ProxyScope$/);
  assert.match(configDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32'), /ProxyScope$/);
  assert.match(configDir({}, 'darwin'), /Library\/Application Support\/ProxyScope$/);
});
