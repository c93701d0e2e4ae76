// TCP header flags as Wireshark names them in the Info column ("SYN, ACK"), cached per value.

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

const FLAGS_TEXT: string[] = [];

/** "SYN, ACK", "<None>" for no flag. */
export function tcpFlagsText(flags: number): string {
  const cached = FLAGS_TEXT[flags];
  if (cached !== undefined) return cached;
  const parts: string[] = [];
  flags &= 0x1ff;
  for (let i = 0; i < FLAG_NAMES.length; i++) if (flags & (1 << i)) parts.push(FLAG_NAMES[i]);
  return (FLAGS_TEXT[flags & 0x1ff] = parts.length ? parts.join(', ') : '<None>');
}
