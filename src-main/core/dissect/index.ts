// The one file that imports every protocol module and builds the registry. Modules never import
// each other; add a new module here (one import, one entry).

import { Registry, type ProtocolModule } from './registry.js';
import { frameModule } from './frame.js';
import { ethernetModule } from './ethernet.js';
import { sllModule } from './sll.js';
import { nullModule } from './null.js';
import { vlanModule } from './vlan.js';
import { arpModule } from './arp.js';
import { ipv4Module } from './ipv4.js';
import { ipv6Module } from './ipv6.js';
import { tcpModule } from './tcp.js';
import { udpModule } from './udp.js';
import { icmpModule } from './icmp.js';
import { icmpv6Module } from './icmpv6.js';
import { httpModule } from './http.js';
import { tlsModule } from './tls.js';
import { dnsModule } from './dns.js';

/** Built-in modules, lower layers first. Application modules (dns, http, tls) go after them. */
export const builtinModules: ProtocolModule[] = [
  frameModule,
  ethernetModule,
  sllModule,
  nullModule,
  vlanModule,
  arpModule,
  ipv4Module,
  ipv6Module,
  tcpModule,
  udpModule,
  icmpModule,
  icmpv6Module,
  // application modules (dissect-app)
  httpModule,
  tlsModule,
  dnsModule,
];

let shared: Registry | null = null;

/** The registry with every built-in module (shared: tables are process-wide, state is per engine). */
export function createRegistry(extra: ProtocolModule[] = []): Registry {
  if (!shared) {
    shared = new Registry();
    for (const m of builtinModules) shared.add(m);
  }
  for (const m of extra) shared.add(m);
  return shared;
}
