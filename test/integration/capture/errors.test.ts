// The clear errors: unknown interface, invalid BPF filter, and capture without the rights to it
// (a real non-root child made with setpriv), through the CLI as a user would see them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  startCapture,
  compileFilter,
  buildProxyFilter,
  privilegeFixes,
  diagnoseCaptureFailure,
  CaptureError,
  type BackendName,
} from '../../../src-main/core/capture/index.js';
import { skipUnlessRootLinux, presentBackends } from './helpers.js';
import { runCli } from '../../helpers/cli.js';

const skip = skipUnlessRootLinux();

// HOME=/tmp: the dropped-privilege child has no home of its own
const HOME = { HOME: '/tmp' };

for (const backend of ['cap', 'tcpdump', 'dumpcap'] as BackendName[]) {
  const why = skip || (!presentBackends.has(backend) && `${backend} is not installed`);
  test(
    `unknown interface (${backend}): says there is no such interface and how to list them`,
    { skip: why, timeout: 30000 },
    async () => {
      await assert.rejects(startCapture({ interface: 'nosuchif0', backend }), (e: unknown) => {
        assert.ok(e instanceof CaptureError);
        assert.equal(e.code, 'no-such-interface');
        assert.match(e.message, /no capture interface named 'nosuchif0'/);
        assert.match(e.fix.join('\n'), /proxyscope interfaces/);
        return true;
      });
    },
  );
}

test('CLI: unknown interface exits 1 with the message', { skip, timeout: 30000 }, async () => {
  const r = await runCli(['capture', '-i', 'nosuchif0', '-c', '1'], { env: HOME });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no capture interface named 'nosuchif0'/);
});

test(
  "invalid BPF filter: libpcap's message and where it stops making sense",
  { skip: !existsSync('/usr/bin/tcpdump') && 'tcpdump is needed to compile filters', timeout: 30000 },
  async () => {
    const r = await compileFilter('tcp and portx 80');
    assert.equal(r.ok, false);
    assert.match(r.message!, /syntax error/);
    assert.equal(r.position, 'tcp and '.length);
    // a port name is looked up in /etc/services (a host name would be a DNS query off the machine)
    const named = await compileFilter('host 192.0.2.1 and port prot');
    assert.match(named.message!, /unknown port 'prot'/);
    assert.equal(named.position, 'host 192.0.2.1 and port '.length);
    // the filter built from proxy settings compiles
    const built = buildProxyFilter({ host: '192.0.2.10', port: 3128 });
    assert.equal(built, '(host 192.0.2.10 and tcp port 3128) or icmp or icmp6');
    assert.equal((await compileFilter(built)).ok, true);
    const cliRun = await runCli(['capture', '-i', 'lo', '-f', 'tcp and portx 80', '-c', '1'], { env: HOME });
    assert.equal(cliRun.code, 1);
    assert.match(cliRun.stderr, /capture filter is not valid: .*syntax error/);
    assert.match(cliRun.stderr, /\n\s+tcp and portx 80\n\s+\^/);
  },
);

test(
  'invalid BPF filter is rejected by the backend too (cap, no precompile available)',
  { skip: skip || (!presentBackends.has('cap') && 'cap missing'), timeout: 30000 },
  async () => {
    // the cap helper compiles it in libpcap when opening: its message comes back as bad-filter
    const { startCapSource } = await import('../../../src-main/core/capture/cap-source.js');
    await assert.rejects(
      startCapSource(
        {
          interface: 'lo',
          filter: 'tcp and portx 80',
          snapLength: 65535,
          promiscuous: false,
          bufferBytes: 1 << 20,
        },
        { onPackets() {}, onEnd() {} },
      ),
      (e: unknown) => e instanceof CaptureError && e.code === 'bad-filter' && /syntax error/.test(e.message),
    );
  },
);

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
test(
  'not permitted (non-root child): names the reason and the commands to run, per backend',
  { skip: skip || (!setpriv && 'setpriv missing'), timeout: 60000 },
  async () => {
    const drop = [setpriv!, '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
    for (const backend of ['cap', 'tcpdump', 'auto'] as const) {
      if (backend !== 'auto' && !presentBackends.has(backend)) continue;
      const r = await runCli(['capture', '-i', 'lo', '-c', '1', '-b', backend], { prefix: drop, env: HOME });
      assert.equal(r.code, 1, `${backend}: exit 1 (${r.stderr})`);
      assert.match(r.stderr, /not permitted for this user/, backend);
      assert.match(r.stderr, /Operation not permitted|permission/i, backend);
      assert.match(r.stderr, /sudo setcap cap_net_raw,cap_net_admin=eip \//, backend);
      assert.match(r.stderr, /usermod -aG wireshark/, backend);
      assert.match(r.stderr, /never asks for your password/, backend);
      if (backend === 'cap')
        assert.match(
          r.stderr,
          new RegExp(`setcap cap_net_raw,cap_net_admin=eip ${process.execPath.replace(/[/.]/g, '\\$&')}`),
        );
      if (backend === 'tcpdump')
        assert.match(r.stderr, /setcap cap_net_raw,cap_net_admin=eip \/usr\/bin\/tcpdump/);
    }
    // the interface list says the same thing without failing
    const list = await runCli(['interfaces', '--backend', 'tcpdump'], { prefix: drop, env: HOME });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /lo .*NOT permitted/);
    assert.match(list.stdout, /sudo setcap/);
  },
);

test('doctor advice per OS', () => {
  // platform-specific commands are data: check the three OSes from any host
  assert.match(
    privilegeFixes({ backend: 'cap', platform: 'darwin' }).join('\n'),
    /sudo chgrp access_bpf \/dev\/bpf\*[\s\S]*sudo chmod g\+rw \/dev\/bpf\*/,
  );
  assert.match(
    privilegeFixes({ backend: 'cap', platform: 'win32' }).join('\n'),
    /npcap\.com[\s\S]*Administrators only/,
  );
  assert.match(
    privilegeFixes({ backend: 'dumpcap', platform: 'linux', executable: '/usr/bin/dumpcap' }).join('\n'),
    /setcap cap_net_raw,cap_net_admin=eip \/usr\/bin\/dumpcap[\s\S]*dpkg-reconfigure wireshark-common[\s\S]*pkexec/,
  );
});

test(
  'cap helper missing: says which backend is missing and how to get it',
  { skip: skip || (!presentBackends.has('cap') && 'cap missing'), timeout: 30000 },
  async () => {
    await assert.rejects(
      startCapture({ interface: 'lo', backend: 'cap', helperPath: '/nonexistent/helper-process.js' }),
      (e: unknown) => {
        assert.ok(e instanceof CaptureError);
        assert.equal(e.code, 'backend-missing');
        assert.match(e.message, /cap capture backend .* is not available/);
        assert.match(e.fix.join('\n'), /libpcap-dev build-essential.*npm rebuild cap/);
        return true;
      },
    );
  },
);

test('libpcap messages of each OS are classified', () => {
  const c = (detail: string) => diagnoseCaptureFailure({ backend: 'cap', interface: 'x', detail }).code;
  assert.equal(c('socket: Operation not permitted'), 'not-permitted');
  assert.equal(c("lo: You don't have permission to perform this capture on that device"), 'not-permitted');
  assert.equal(c('(cannot open BPF device) /dev/bpf0: Permission denied'), 'not-permitted');
  assert.equal(c('Error opening adapter: Access is denied.  (5)'), 'not-permitted');
  assert.equal(c('No such device exists'), 'no-such-interface');
  assert.equal(c('BIOCSETIF: en9: Device not configured'), 'no-such-interface');
  assert.equal(
    c('Error opening adapter: The system cannot find the device specified. (20)'),
    'no-such-interface',
  );
  assert.equal(c("can't parse filter expression: syntax error"), 'bad-filter');
  assert.equal(c('That device is not up'), 'backend-failed');
});
