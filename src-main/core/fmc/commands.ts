/**
 * The commands an admin runs on the FMC (CLI → `expert`) with their own values filled in.
 * The password never appears: the credentialed curl uses `-U user`, so curl prompts for it.
 */
import net from 'node:net';
import type { FmcProxySettings } from './settings.js';

export interface FmcCommand {
  id: 'show-config' | 'connections' | 'curl' | 'curl-auth' | 'tcpdump' | 'read-capture';
  title: string;
  command: string;
  /** what to look for in the output */
  expect: string;
}

/** POSIX shell quoting for a value typed by the user (only when needed, so commands stay readable). */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9_.:@%+=/,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

function urlHost(host: string): string {
  return net.isIPv6(host.replace(/^\[|\]$/g, '')) ? `[${host.replace(/^\[|\]$/g, '')}]` : host;
}

export interface CommandOptions {
  /** the proxy's IP when host is an FQDN (netstat and tcpdump show addresses) */
  proxyAddress?: string;
  /** the URL the FMC reaches; default https://tools.cisco.com */
  testUrl?: string;
  /** the FMC's management interface; default eth0 */
  iface?: string;
}

export function fmcCommands(
  s: Pick<FmcProxySettings, 'host' | 'port' | 'useAuth' | 'username' | 'authType'>,
  o: CommandOptions = {},
): FmcCommand[] {
  const host = s.host.trim().replace(/^\[|\]$/g, '');
  const addr = o.proxyAddress ?? host;
  const proxyUrl = `http://${urlHost(host)}:${s.port}`;
  const testUrl = o.testUrl ?? 'https://tools.cisco.com';
  const iface = o.iface ?? 'eth0';
  const cmds: FmcCommand[] = [
    {
      id: 'show-config',
      title: 'Show the proxy the FMC actually uses',
      command: 'cat /etc/sf/iprep_proxy.conf',
      expect: `PROXY_HOST ${host}; and PROXY_PORT ${s.port}; inside iprep_proxy { }`,
    },
    {
      id: 'connections',
      title: 'Active connections to the proxy',
      command: `netstat -na | grep ${shellQuote(addr)}`,
      expect: `lines like \`tcp 0 0 <FMC IP>:<port> ${addr}:${s.port} ESTABLISHED\`${net.isIP(host) || o.proxyAddress ? '' : ` (netstat shows addresses: grep for the IP ${host} resolves to)`}`,
    },
    {
      id: 'curl',
      title: 'A request through the proxy',
      command: `curl -x ${proxyUrl} -I ${testUrl}`,
      expect: "`HTTP/1.1 200 Connection established`, then the server's answer (e.g. `HTTP/1.1 302 Found`)",
    },
  ];
  if (s.useAuth && s.username) {
    const scheme =
      s.authType === 'digest'
        ? ' --proxy-digest'
        : s.authType === 'basic'
          ? ' --proxy-basic'
          : ' --proxy-anyauth';
    cmds.push({
      id: 'curl-auth',
      title: 'The same request with the proxy credentials',
      command: `curl -x ${proxyUrl}${scheme} -U ${shellQuote(s.username)} -I ${testUrl}`,
      expect:
        'curl asks for the password (Enter proxy password for user …); then `HTTP/1.1 200 Connection established`. A `407` means the credentials or the scheme are refused',
    });
  }
  cmds.push(
    {
      id: 'tcpdump',
      title: 'Capture the traffic to the proxy (Ctrl+C to stop)',
      command: `tcpdump -i ${iface} -s 0 -w /var/common/proxy.pcap host ${shellQuote(addr)} and port ${s.port}`,
      expect:
        'run the curl above in a second session while it captures; then copy /var/common/proxy.pcap off the FMC and open it in ProxyScope',
    },
    {
      id: 'read-capture',
      title: 'Quick look at the capture on the FMC',
      command: 'tcpdump -nn -r /var/common/proxy.pcap | head -50',
      expect: 'SYN, SYN-ACK, ACK to the proxy, then the CONNECT and its answer',
    },
  );
  return cmds;
}
