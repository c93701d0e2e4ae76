// The push parser: accepts a capture file or pipe in chunks of any size, detects classic pcap or
// pcapng from the first bytes, and hands out each packet as soon as its record is complete.
// Records that lie wholly inside a chunk are decoded in place (packet data is a subarray view of the
// chunk); only a record cut by a chunk boundary is copied into a carry buffer.
import * as bytes from './bytes.js';
import { ClassicPcapFormat } from './classic-format.js';
import { BLOCK_SHB, PcapngFormat } from './pcapng-format.js';
import type { CaptureParserHandlers, RecordFormat } from './record-format.js';
import { CaptureFileError } from './types.js';

export type { CaptureParserHandlers } from './record-format.js';

export interface CaptureParser {
  /**
   * Feeds the next bytes; the chunk may be reused by the caller once push returns. Throws
   * CaptureFileError for a damaged stream (and again on every later call), or whatever a handler
   * threw (which also stops the parser).
   */
  push(chunk: Uint8Array): void;
  /** Declares the end of input; throws CaptureFileError if it ends inside a record. */
  end(): void;
  /** bytes of complete records decoded so far (the offset where the next record starts) */
  readonly bytesConsumed: number;
  /** known after the first 4 bytes */
  readonly format: 'pcap' | 'pcapng' | undefined;
  readonly packets: number;
}

const { u32be } = bytes; // a direct call, not a getter, under CommonJS-compiling loaders

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;

/** Picks the format from the first 4 bytes, or throws "not a capture file". */
function detectFormat(b: Uint8Array, o: number, handlers: CaptureParserHandlers): RecordFormat {
  const be = u32be(b, o);
  if (be === BLOCK_SHB) return new PcapngFormat(handlers);
  if (be === MAGIC_MICRO) return new ClassicPcapFormat(false, false, handlers);
  if (be === MAGIC_NANO) return new ClassicPcapFormat(false, true, handlers);
  if (be === 0xd4c3b2a1) return new ClassicPcapFormat(true, false, handlers);
  if (be === 0x4d3cb2a1) return new ClassicPcapFormat(true, true, handlers);
  throw notACapture(b, o);
}

function notACapture(b: Uint8Array, o: number): CaptureFileError {
  const hex = Array.from(b.subarray(o, o + 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  let hint =
    'ProxyScope reads .pcap and .pcapng files as written by tcpdump -w, dumpcap, Wireshark or ProxyScope itself.';
  if (b[o] === 0x1f && b[o + 1] === 0x8b)
    hint = 'The file is gzip-compressed: decompress it (gunzip) and open the result.';
  else if (u32be(b, o) === 0xa1b2cd34 || u32be(b, o) === 0x34cdb2a1)
    hint =
      "This is a 'modified' libpcap file (old Red Hat tcpdump): convert it with `editcap -F pcapng IN OUT`.";
  else if (b[o] === 0x0d && b[o + 1] === 0x0a && b[o + 2] === 0x0d)
    hint =
      'This looks like a pcapng file damaged by a text-mode (ASCII) transfer: copy it again in binary mode.';
  else if ([0x52545353, 0x474d4255, 0x5452534e].includes(u32be(b, o)))
    hint =
      'This looks like a Network Monitor or Sniffer capture: convert it with `editcap -F pcapng IN OUT`.';
  return new CaptureFileError(
    'not-a-capture',
    0,
    `Not a pcap or pcapng file: it starts with bytes ${hex}.`,
    hint,
  );
}

export function createCaptureParser(handlers: CaptureParserHandlers): CaptureParser {
  let format: RecordFormat | undefined;
  /** stream offset of the first byte not yet decoded */
  let consumed = 0;
  let carry = new Uint8Array(0);
  let carryLength = 0;
  let failure: unknown;
  let ended = false;

  /** Length of the record at b[o], or -(bytes needed to tell); detects the format first. */
  function lengthAt(b: Uint8Array, o: number, avail: number): number {
    if (format === undefined) {
      if (avail < 4) return -4;
      format = detectFormat(b, o, handlers);
    }
    return format.recordLength(b, o, avail, consumed);
  }

  /** Appends chunk[from, to) to the carry; `want` is the size of the record being completed. */
  function appendToCarry(chunk: Uint8Array, from: number, to: number, want: number): void {
    const needed = carryLength + (to - from);
    if (carry.length < needed) {
      // grow geometrically up to the record size, but never reserve more than the bytes seen: a
      // corrupt length near 256 MiB must not allocate 256 MiB for a few bytes of input
      const bigger = new Uint8Array(Math.max(needed, Math.min(want, carry.length * 2), 256));
      bigger.set(carry.subarray(0, carryLength));
      carry = bigger;
    }
    carry.set(chunk.subarray(from, to), carryLength);
    carryLength += to - from;
  }

  /** Completes the carried partial record from the chunk; returns how much of the chunk it used. */
  function finishCarry(chunk: Uint8Array): number {
    let pos = 0;
    for (;;) {
      const len = lengthAt(carry, 0, carryLength);
      const want = len < 0 ? -len : len;
      const take = Math.min(want - carryLength, chunk.length - pos);
      if (take > 0) {
        appendToCarry(chunk, pos, pos + take, want);
        pos += take;
      }
      if (carryLength < want) return pos;
      if (len > 0) {
        format!.processRecord(carry, 0, len, consumed);
        consumed += len;
        carryLength = 0;
        return pos;
      }
    }
  }

  function push(input: Uint8Array): void {
    if (failure !== undefined) throw failure;
    // hand out plain Uint8Array views even when fed Buffers: Buffer#slice shares memory, and a
    // consumer that "copies" packet data with slice() must really get a copy
    const chunk =
      input.constructor === Uint8Array
        ? input
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (ended) throw new CaptureFileError('io', consumed, 'push() after end() on a capture parser.');
    try {
      let pos = carryLength > 0 ? finishCarry(chunk) : 0;
      if (carryLength > 0) return;
      const n = chunk.length;
      while (pos < n) {
        const avail = n - pos;
        const len = lengthAt(chunk, pos, avail);
        if (len < 0 || len > avail) break;
        format!.processRecord(chunk, pos, len, consumed);
        pos += len;
        consumed += len;
      }
      if (pos < n) {
        carryLength = 0;
        appendToCarry(chunk, pos, n, n - pos);
      }
    } catch (e) {
      // a handler's own exception also stops the parser: the chunk position is lost with it
      failure = e;
      throw e;
    }
  }

  function end(): void {
    if (failure !== undefined) throw failure;
    if (ended) return;
    ended = true;
    if (format === undefined) {
      failure =
        carryLength === 0
          ? new CaptureFileError(
              'not-a-capture',
              0,
              'The capture is empty (0 bytes).',
              'The capture produced no data: check that the capture command ran and wrote to this file.',
            )
          : new CaptureFileError(
              'not-a-capture',
              0,
              `Not a pcap or pcapng file: it is only ${carryLength} bytes long.`,
              'A capture file starts with a 24-byte (pcap) or 28-byte (pcapng) header; this one was cut off or is something else.',
            );
      throw failure;
    }
    if (carryLength > 0) {
      const len = format.recordLength(carry, 0, carryLength, consumed);
      const what = format.describeRecord(carry, 0, carryLength);
      const need = len > 0 ? `${len} bytes` : `at least ${-len} bytes`;
      failure = new CaptureFileError(
        'truncated',
        consumed,
        `The capture ends in the middle of the ${what} at byte offset ${consumed}: ${carryLength} of ${need} present.`,
        `The capture was cut off (capture stopped abruptly, disk full, or an incomplete copy). The ${format.packets} packets before it were read.`,
      );
      throw failure;
    }
  }

  return {
    push,
    end,
    get bytesConsumed() {
      return consumed;
    },
    get format() {
      return format?.name;
    },
    get packets() {
      return format?.packets ?? 0;
    },
  };
}
