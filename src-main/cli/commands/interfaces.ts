// `proxyscope interfaces`: what can be captured on, and whether this user may.
import { forEachOption, unknownOption } from '../options.js';
import { parseBackendChoice } from './capture.js';
import type { CliCommand, CliIo } from '../command.js';
import {
  detectBackends,
  listInterfaces,
  privilegeFixes,
  type BackendName,
} from '../../core/capture/index.js';
import { describeLinkType } from '../../core/pcap/link-types.js';

const usage = `Usage: proxyscope interfaces [--backend NAME] [--no-open] [--json]

Lists the capture interfaces: name, description, addresses, link type, flags, and whether this
user may capture on each (found by opening it briefly; --no-open skips that).
  --backend NAME   the view of auto (default), dumpcap, tcpdump or cap
  --json           machine-readable output`;

async function run(args: string[], io: CliIo): Promise<number> {
  let backend: BackendName | undefined;
  let tryOpen = true;
  let json = false;
  forEachOption(args, ({ flag, value }) => {
    if (flag === '--no-open') tryOpen = false;
    else if (flag === '--json') json = true;
    else if (flag === '--backend' || flag === '-b') {
      const choice = parseBackendChoice(value());
      backend = choice === 'auto' ? undefined : choice;
    } else throw unknownOption(flag);
  });
  const backends = detectBackends();
  const list = await listInterfaces({ tryOpen, backend });
  if (json) {
    io.out(JSON.stringify({ backends, ...list }, null, 2));
    return 0;
  }
  io.out(
    `Backends: ${backends.map((b) => (b.present ? `${b.name} (${b.path})` : `${b.name} missing: ${b.missingReason}`)).join('; ')}`,
  );
  if (!list.backend) {
    io.err('No capture backend is available. Install one of:');
    for (const b of backends) for (const l of b.install ?? []) io.err(`  ${b.name}: ${l}`);
    return 1;
  }
  io.out(`Interfaces as seen by ${list.backend}:`);
  for (const i of list.interfaces) {
    const flags = [i.up ? 'up' : 'down', i.running ? 'running' : null, i.loopback ? 'loopback' : null]
      .filter(Boolean)
      .join(',');
    const lt = i.linkType === null ? 'link type ?' : describeLinkType(i.linkType);
    const perm =
      i.capturePermitted === true
        ? ' capture: ok'
        : i.capturePermitted === false
          ? ` capture: NOT permitted (${i.captureError ?? ''})`
          : i.captureError
            ? ` cannot open: ${i.captureError}`
            : '';
    io.out(`  ${i.name.padEnd(18)} [${flags}] ${lt}${perm}`);
    if (i.description) io.out(`      ${i.description}`);
    for (const a of i.addresses) io.out(`      ${a.addr}${a.netmask ? ` / ${a.netmask}` : ''}`);
  }
  if (list.interfaces.some((i) => i.capturePermitted === false)) {
    io.out(
      '\nCapture is not permitted for this user. ProxyScope never asks for your password; run one of these yourself:',
    );
    for (const l of privilegeFixes({ backend: list.backend })) io.out(`  ${l}`);
  }
  return 0;
}

export const interfacesCommand: CliCommand = {
  name: 'interfaces',
  summary: 'list capture interfaces, their link types and whether capture is permitted',
  usage,
  run,
};
