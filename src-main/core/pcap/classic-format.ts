// Classic libpcap files: a 24-byte file header, then records of a 16-byte header and the data.
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-01.html
import * as bytes from './bytes.js';
import { describeLinkType, isSupportedLinkType, supportedLinkTypesList } from './link-types.js';
import * as recordFormat from './record-format.js';
import type { CaptureParserHandlers, RecordFormat } from './record-format.js';
import { CaptureFileError, type RawPacket } from './types.js';

// Local aliases of the byte readers: a loader that compiles ES modules to CommonJS (tsx in tests and
// benches) turns every imported call into a property getter; aliases make them direct calls.
const { u32le, u32be, u16 } = bytes;
const { MAX_RECORD_LENGTH, packetFor, reusablePacket } = recordFormat;

export const CLASSIC_HEADER_LENGTH = 24;
export const CLASSIC_RECORD_HEADER_LENGTH = 16;
/** libpcap's largest snapshot length; records up to this are fine whatever the header's snaplen */
const LIBPCAP_MAX_SNAPLEN = 262144;

export class ClassicPcapFormat implements RecordFormat {
  readonly name = 'pcap';
  packets = 0;
  private headerDone = false;
  private linkType = 0;
  private snapLength = 0;
  private maxCaptured = LIBPCAP_MAX_SNAPLEN;
  private readonly reused: RawPacket | null;

  constructor(
    private readonly le: boolean,
    private readonly nanoseconds: boolean,
    private readonly handlers: CaptureParserHandlers,
  ) {
    this.reused = reusablePacket(handlers);
  }

  recordLength(b: Uint8Array, o: number, avail: number, abs: number): number {
    if (!this.headerDone)
      return avail >= CLASSIC_HEADER_LENGTH ? CLASSIC_HEADER_LENGTH : -CLASSIC_HEADER_LENGTH;
    if (avail < CLASSIC_RECORD_HEADER_LENGTH) return -CLASSIC_RECORD_HEADER_LENGTH;
    const captured = this.le ? u32le(b, o + 8) : u32be(b, o + 8);
    if (captured > this.maxCaptured) {
      throw new CaptureFileError(
        'bad-field',
        abs + 8,
        `Packet record ${this.packets + 1} at byte offset ${abs} claims ${captured} captured bytes, more than the file's snapshot length (${this.snapLength}) allows.`,
        `The file is damaged from byte ${abs} on; the ${this.packets} packets before it were read. Re-export or re-capture the file.`,
      );
    }
    return CLASSIC_RECORD_HEADER_LENGTH + captured;
  }

  processRecord(b: Uint8Array, o: number, len: number, abs: number): void {
    if (!this.headerDone) {
      this.readHeader(b, o, abs);
      return;
    }
    const le = this.le;
    const sec = le ? u32le(b, o) : u32be(b, o);
    const frac = le ? u32le(b, o + 4) : u32be(b, o + 4);
    const original = le ? u32le(b, o + 12) : u32be(b, o + 12);
    let tsSec = sec;
    let tsNsec: number;
    if (this.nanoseconds) {
      tsNsec = frac;
      if (frac >= 1e9) {
        // some writers overflow the fraction; carry it into the seconds rather than reject the file
        tsSec += Math.floor(frac / 1e9);
        tsNsec = frac % 1e9;
      }
    } else if (frac < 1e6) {
      tsNsec = frac * 1000;
    } else {
      tsSec += Math.floor(frac / 1e6);
      tsNsec = (frac % 1e6) * 1000;
    }
    const captured = len - CLASSIC_RECORD_HEADER_LENGTH;
    this.packets++;
    this.handlers.onPacket(
      packetFor(
        this.reused,
        tsSec,
        tsNsec,
        captured,
        original,
        0,
        this.linkType,
        b.subarray(o + CLASSIC_RECORD_HEADER_LENGTH, o + len),
        abs + CLASSIC_RECORD_HEADER_LENGTH,
      ),
    );
  }

  describeRecord(_b: Uint8Array, _o: number, _avail: number): string {
    return this.headerDone ? `packet record ${this.packets + 1}` : 'pcap file header';
  }

  private readHeader(b: Uint8Array, o: number, abs: number): void {
    const le = this.le;
    const major = u16(b, o + 4, le);
    const minor = u16(b, o + 6, le);
    if (major !== 2) {
      throw new CaptureFileError(
        'bad-field',
        abs + 4,
        `Unsupported pcap format version ${major}.${minor} (expected 2.4).`,
        'Convert the file with `editcap -F pcapng IN OUT` and open the result.',
      );
    }
    this.snapLength = le ? u32le(b, o + 16) : u32be(b, o + 16);
    // the upper bits of the link-type field carry FCS flags, not the type
    this.linkType = (le ? u32le(b, o + 20) : u32be(b, o + 20)) & 0xffff;
    if (!isSupportedLinkType(this.linkType)) {
      throw new CaptureFileError(
        'unknown-link-type',
        abs + 20,
        `The file's link-layer type is ${describeLinkType(this.linkType)} (header field at byte offset ${abs + 20}), which ProxyScope does not decode.`,
        `Supported link types: ${supportedLinkTypesList()}. Capture on an Ethernet interface or with \`tcpdump -i any\`.`,
      );
    }
    this.maxCaptured = Math.min(MAX_RECORD_LENGTH, Math.max(this.snapLength, LIBPCAP_MAX_SNAPLEN));
    this.headerDone = true;
    this.handlers.onInterface?.({
      id: 0,
      linkType: this.linkType,
      snapLength: this.snapLength,
      tsUnitNs: this.nanoseconds ? 1 : 1000,
    });
  }
}
