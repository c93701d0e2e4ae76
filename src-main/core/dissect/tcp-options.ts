// The walk over a TCP header's options that the first pass and the Info column share: NOP skipped,
// stop at End of Option List or at a length that is missing, below 2 or past the header.

/** Called for each well-formed option: its kind, where it starts (the kind byte) and its length. */
export type TcpOptionVisitor = (d: Uint8Array, kind: number, at: number, len: number) => void;

export function walkTcpOptions(d: Uint8Array, p: number, end: number, visit: TcpOptionVisitor): void {
  while (p < end) {
    const kind = d[p];
    if (kind === 0) return;
    if (kind === 1) {
      p++;
      continue;
    }
    if (p + 1 >= end) return;
    const len = d[p + 1];
    if (len < 2 || p + len > end) return;
    visit(d, kind, p, len);
    p += len;
  }
}
