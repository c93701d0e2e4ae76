// Why the tests that capture live on lo (as root, through tcpdump) cannot run here, or false.
import { existsSync } from 'node:fs';

export const liveCaptureMissing: string | false =
  process.getuid?.() !== 0
    ? 'live capture on lo needs root here'
    : !existsSync('/usr/bin/tcpdump') && !existsSync('/usr/sbin/tcpdump')
      ? 'tcpdump is not installed'
      : false;
