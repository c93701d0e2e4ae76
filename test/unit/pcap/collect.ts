// Runs the push parser over bytes (optionally in chunks) and records everything it reports.
import { createCaptureParser } from '../../../src-main/core/pcap/parser.js';
import type { CaptureFileError, CaptureInterfaceInfo, RawPacket } from '../../../src-main/core/pcap/types.js';

export interface Collected {
  packets: (Omit<RawPacket, 'data'> & { data: number[] })[];
  interfaces: CaptureInterfaceInfo[];
  sectionComments: string[];
  format?: string;
  error?: CaptureFileError;
  bytesConsumed: number;
}

/** chunkSizes cycles: [1] feeds byte by byte; undefined feeds everything at once. */
export function collect(bytes: Uint8Array, chunkSizes?: number[]): Collected {
  const out: Collected = { packets: [], interfaces: [], sectionComments: [], bytesConsumed: 0 };
  const parser = createCaptureParser({
    onPacket: (p) => out.packets.push({ ...p, data: Array.from(p.data) }),
    onInterface: (i) => out.interfaces.push(i),
    onSectionComment: (s) => out.sectionComments.push(s),
  });
  try {
    if (!chunkSizes) parser.push(bytes);
    else {
      let pos = 0;
      let k = 0;
      while (pos < bytes.length) {
        const n = chunkSizes[k++ % chunkSizes.length];
        // copy so a test catches a parser that keeps views of a chunk past push()
        const chunk = bytes.slice(pos, pos + n);
        parser.push(chunk);
        chunk.fill(0xee);
        pos += n;
      }
    }
    parser.end();
  } catch (e) {
    out.error = e as CaptureFileError;
  }
  out.format = parser.format;
  out.bytesConsumed = parser.bytesConsumed;
  return out;
}

/** Without the data view: what the deepEqual comparisons across chunkings look at. */
export function strip(c: Collected): unknown {
  return {
    ...c,
    error: c.error ? { code: c.error.code, offset: c.error.offset, message: c.error.message } : undefined,
  };
}
