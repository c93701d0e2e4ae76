// pcapng: a sequence of blocks type(4) length(4) body length(4), in sections that each start with a
// Section Header Block (which fixes the byte order) and define their own interfaces.
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html
import * as bytes from './bytes.js';
import { describeLinkType, isSupportedLinkType, supportedLinkTypesList } from './link-types.js';
import { forEachOption, OPT_COMMENT } from './pcapng-options.js';
import * as recordFormat from './record-format.js';
import type { CaptureParserHandlers, RecordFormat } from './record-format.js';
import * as timestamp from './timestamp.js';
import type { TimestampResolution } from './timestamp.js';
import { CaptureFileError, type CaptureInterfaceInfo, type RawPacket } from './types.js';

// Local aliases of the byte readers: a loader that compiles ES modules to CommonJS (tsx in tests and
// benches) turns every imported call into a property getter; aliases make them direct calls.
const { pad4, u16, u32, u32be, u32le, utf8String } = bytes;
const { convertTimestamp, makeResolution, resolutionFromTsresol, tsUnitNs } = timestamp;
const { MAX_RECORD_LENGTH, packetFor, reusablePacket } = recordFormat;

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 1;
export const BLOCK_PB = 2;
export const BLOCK_SPB = 3;
export const BLOCK_EPB = 6;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

interface InterfaceState {
  info: CaptureInterfaceInfo;
  supported: boolean;
  resolution: TimestampResolution;
}

const damagedHint = (packets: number, abs: number): string =>
  `The file is damaged from byte ${abs} on; the ${packets} packets before it were read. Re-export or re-capture the file.`;

export class PcapngFormat implements RecordFormat {
  readonly name = 'pcapng';
  packets = 0;
  private le = true;
  private readonly ts = { sec: 0, nsec: 0 };
  private interfaces: InterfaceState[] = [];
  /** interface ids run on across sections so they stay unique in one stream */
  private nextInterfaceId = 0;

  private readonly reused: RawPacket | null;

  constructor(private readonly handlers: CaptureParserHandlers) {
    this.reused = reusablePacket(handlers);
  }

  recordLength(b: Uint8Array, o: number, avail: number, abs: number): number {
    if (avail < 8) return -8;
    let le = this.le;
    if (u32le(b, o) === BLOCK_SHB) {
      if (avail < 12) return -12;
      const bom = u32le(b, o + 8);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else {
        throw new CaptureFileError(
          'bad-field',
          abs + 8,
          `Section header block at byte offset ${abs} has a bad byte-order magic (0x${bom.toString(16).padStart(8, '0')}).`,
          damagedHint(this.packets, abs),
        );
      }
    }
    const len = le ? u32le(b, o + 4) : u32be(b, o + 4);
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD_LENGTH) {
      const why =
        len > MAX_RECORD_LENGTH
          ? 'larger than 256 MiB'
          : len < 12
            ? 'shorter than the 12-byte minimum'
            : 'not a multiple of 4';
      throw new CaptureFileError(
        'bad-block-length',
        abs,
        `Block at byte offset ${abs} (type 0x${u32(b, o, le).toString(16)}) has a bad length ${len}: ${why}.`,
        damagedHint(this.packets, abs),
      );
    }
    return len;
  }

  describeRecord(b: Uint8Array, o: number, avail: number): string {
    if (avail < 4) return 'block';
    const type = u32(b, o, this.le);
    if (type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB)
      return `packet block ${this.packets + 1}`;
    return `block of type 0x${type.toString(16)}`;
  }

  processRecord(b: Uint8Array, o: number, len: number, abs: number): void {
    const shb = u32le(b, o) === BLOCK_SHB;
    if (shb) this.le = u32le(b, o + 8) === BYTE_ORDER_MAGIC;
    const le = this.le;
    const trailer = le ? u32le(b, o + len - 4) : u32be(b, o + len - 4);
    if (trailer !== len) {
      throw new CaptureFileError(
        'bad-block-length',
        abs,
        `Block at byte offset ${abs} says it is ${len} bytes long, but its closing length field (at ${abs + len - 4}) says ${trailer}.`,
        damagedHint(this.packets, abs),
      );
    }
    if (shb) return this.sectionHeader(b, o, len, abs);
    const type = le ? u32le(b, o) : u32be(b, o);
    switch (type) {
      case BLOCK_EPB:
        return this.enhancedPacket(b, o, len, abs);
      case BLOCK_SPB:
        return this.simplePacket(b, o, len, abs);
      case BLOCK_IDB:
        return this.interfaceDescription(b, o, len, abs);
      case BLOCK_PB:
        return this.obsoletePacket(b, o, len, abs);
      default:
        // NRB, ISB, DSB, custom and unknown blocks carry nothing a packet list needs
        return;
    }
  }

  private tooShort(abs: number, what: string, len: number): CaptureFileError {
    return new CaptureFileError(
      'bad-block-length',
      abs,
      `${what} at byte offset ${abs} is too short (${len} bytes).`,
      damagedHint(this.packets, abs),
    );
  }

  private sectionHeader(b: Uint8Array, o: number, len: number, abs: number): void {
    if (len < 28) throw this.tooShort(abs, 'Section header block', len);
    const le = this.le;
    const major = u16(b, o + 12, le);
    const minor = u16(b, o + 14, le);
    if (major !== 1) {
      throw new CaptureFileError(
        'bad-field',
        abs + 12,
        `Section header block at byte offset ${abs} has pcapng version ${major}.${minor}; ProxyScope reads version 1.x.`,
        'Rewrite the file with `editcap -F pcapng IN OUT`.',
      );
    }
    this.interfaces = [];
    const onComment = this.handlers.onSectionComment;
    if (onComment) {
      forEachOption(b, o + 24, o + len - 4, le, abs - o, 'section header block', (code, start, length) => {
        if (code === OPT_COMMENT) onComment(utf8String(b, start, start + length));
      });
    }
  }

  private interfaceDescription(b: Uint8Array, o: number, len: number, abs: number): void {
    if (len < 20) throw this.tooShort(abs, 'Interface description block', len);
    const le = this.le;
    const linkType = u16(b, o + 8, le);
    const snapLength = u32(b, o + 12, le);
    const info: CaptureInterfaceInfo = { id: this.nextInterfaceId++, linkType, snapLength, tsUnitNs: 1000 };
    let resolution = makeResolution(1_000_000n);
    let offsetSeconds = 0;
    forEachOption(
      b,
      o + 16,
      o + len - 4,
      le,
      abs - o,
      'interface description block',
      (code, start, length) => {
        if (code === IF_NAME) info.name = utf8String(b, start, start + length);
        else if (code === IF_DESCRIPTION) info.description = utf8String(b, start, start + length);
        else if (code === IF_TSRESOL && length >= 1) resolution = resolutionFromTsresol(b[start]);
        else if (code === IF_TSOFFSET && length >= 8) {
          const hi = u32(b, le ? start + 4 : start, le);
          const lo = u32(b, le ? start : start + 4, le);
          offsetSeconds = (hi | 0) * 4294967296 + lo; // signed 64-bit seconds
        }
      },
    );
    resolution.offsetSeconds = offsetSeconds;
    info.tsUnitNs = tsUnitNs(resolution);
    this.interfaces.push({ info, supported: isSupportedLinkType(linkType), resolution });
    this.handlers.onInterface?.(info);
  }

  private interfaceFor(index: number, abs: number, field: number): InterfaceState {
    const iface = this.interfaces[index];
    if (iface === undefined) {
      throw new CaptureFileError(
        'bad-field',
        abs + field,
        `Packet block at byte offset ${abs} refers to interface ${index}, but its section describes ${this.interfaces.length} interface(s).`,
        damagedHint(this.packets, abs),
      );
    }
    if (!iface.supported) {
      throw new CaptureFileError(
        'unknown-link-type',
        abs,
        `Packet block at byte offset ${abs} was captured on interface ${index}${iface.info.name ? ` (${iface.info.name})` : ''} whose link-layer type is ${describeLinkType(iface.info.linkType)}, which ProxyScope does not decode.`,
        `Supported link types: ${supportedLinkTypesList()}. Capture on an Ethernet interface or with \`tcpdump -i any\`.`,
      );
    }
    return iface;
  }

  private capturedTooLong(abs: number, captured: number, room: number): CaptureFileError {
    return new CaptureFileError(
      'bad-field',
      abs + 20,
      `Packet block at byte offset ${abs} claims ${captured} captured bytes, but the block has room for ${room}.`,
      damagedHint(this.packets, abs),
    );
  }

  /** EPB: iface(4) ts_hi(4) ts_lo(4) captured(4) original(4) data options */
  private enhancedPacket(b: Uint8Array, o: number, len: number, abs: number): void {
    if (len < 32) throw this.tooShort(abs, 'Enhanced packet block', len);
    const le = this.le;
    const iface = this.interfaceFor(le ? u32le(b, o + 8) : u32be(b, o + 8), abs, 8);
    const captured = le ? u32le(b, o + 20) : u32be(b, o + 20);
    if (captured > len - 32) throw this.capturedTooLong(abs, captured, len - 32);
    this.deliver(
      b,
      o,
      len,
      abs,
      iface,
      le ? u32le(b, o + 12) : u32be(b, o + 12),
      le ? u32le(b, o + 16) : u32be(b, o + 16),
      captured,
      le ? u32le(b, o + 24) : u32be(b, o + 24),
    );
  }

  /** obsolete PB: iface(2) drops(2) ts_hi(4) ts_lo(4) captured(4) original(4) data options */
  private obsoletePacket(b: Uint8Array, o: number, len: number, abs: number): void {
    if (len < 32) throw this.tooShort(abs, 'Packet block', len);
    const le = this.le;
    const iface = this.interfaceFor(u16(b, o + 8, le), abs, 8);
    const captured = u32(b, o + 20, le);
    if (captured > len - 32) throw this.capturedTooLong(abs, captured, len - 32);
    this.deliver(b, o, len, abs, iface, u32(b, o + 12, le), u32(b, o + 16, le), captured, u32(b, o + 24, le));
  }

  private deliver(
    b: Uint8Array,
    o: number,
    len: number,
    abs: number,
    iface: InterfaceState,
    tsHi: number,
    tsLo: number,
    captured: number,
    original: number,
  ): void {
    const ts = this.ts;
    convertTimestamp(tsHi, tsLo, iface.resolution, ts);
    const dataStart = o + 28;
    const optionsStart = dataStart + pad4(captured);
    let comments: string[] | undefined;
    if (optionsStart < o + len - 4) comments = this.packetComments(b, optionsStart, o + len - 4, abs - o);
    const packet = packetFor(
      this.reused,
      ts.sec,
      ts.nsec,
      captured,
      original,
      iface.info.id,
      iface.info.linkType,
      b.subarray(dataStart, dataStart + captured),
      abs + 28,
    );
    if (comments) packet.comments = comments;
    this.packets++;
    this.handlers.onPacket(packet);
  }

  private packetComments(b: Uint8Array, start: number, end: number, abs0: number): string[] | undefined {
    let comments: string[] | undefined;
    forEachOption(b, start, end, this.le, abs0, 'packet block', (code, s, length) => {
      if (code === OPT_COMMENT) (comments ??= []).push(utf8String(b, s, s + length));
    });
    return comments;
  }

  /** SPB: original(4) data — no interface id (always 0) and no timestamp */
  private simplePacket(b: Uint8Array, o: number, len: number, abs: number): void {
    if (len < 16) throw this.tooShort(abs, 'Simple packet block', len);
    const iface = this.interfaceFor(0, abs, 0);
    const original = u32(b, o + 8, this.le);
    const snap = iface.info.snapLength;
    let captured = snap > 0 && snap < original ? snap : original;
    if (captured > len - 16) captured = len - 16; // padding makes the block's room a bound, not an exact size
    this.packets++;
    this.handlers.onPacket(
      packetFor(
        this.reused,
        0,
        0,
        captured,
        original,
        iface.info.id,
        iface.info.linkType,
        b.subarray(o + 12, o + 12 + captured),
        abs + 12,
      ),
    );
  }
}
