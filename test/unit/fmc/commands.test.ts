import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmcCommands } from '../../../src-main/core/fmc/commands.js';

test("the document's commands with the user's values", () => {
  const cmds = Object.fromEntries(
    fmcCommands({ host: '10.10.10.1', port: 80, useAuth: false }).map((c) => [c.id, c.command]),
  );
  assert.equal(cmds['show-config'], 'cat /etc/sf/iprep_proxy.conf');
  assert.equal(cmds.connections, 'netstat -na | grep 10.10.10.1');
  assert.equal(cmds.curl, 'curl -x http://10.10.10.1:80 -I https://tools.cisco.com');
  assert.equal(cmds.tcpdump, 'tcpdump -i eth0 -s 0 -w /var/common/proxy.pcap host 10.10.10.1 and port 80');
  assert.equal(cmds['curl-auth'], undefined);
});

test('credentialed curl uses -U user (curl prompts), never the password', () => {
  const cmds = fmcCommands({
    host: 'proxy.example.com',
    port: 3128,
    useAuth: true,
    username: 'fmc svc',
    authType: 'digest',
  });
  const auth = cmds.find((c) => c.id === 'curl-auth')!;
  assert.equal(
    auth.command,
    "curl -x http://proxy.example.com:3128 --proxy-digest -U 'fmc svc' -I https://tools.cisco.com",
  );
  assert.ok(!auth.command.includes(':') || !/-U \S+:/.test(auth.command));
});

test('FQDN proxies: netstat / tcpdump use the resolved address when known; IPv6 URLs are bracketed', () => {
  const byId = (h: string, o = {}) =>
    Object.fromEntries(fmcCommands({ host: h, port: 8080, useAuth: false }, o).map((c) => [c.id, c]));
  assert.equal(
    byId('proxy.example.com', { proxyAddress: '192.0.2.7' }).connections!.command,
    'netstat -na | grep 192.0.2.7',
  );
  assert.match(byId('proxy.example.com').connections!.expect, /netstat shows addresses/);
  assert.equal(
    byId('2001:db8::1').curl!.command,
    'curl -x http://[2001:db8::1]:8080 -I https://tools.cisco.com',
  );
});
