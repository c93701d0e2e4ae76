// Writes pcapng: one section (SHB with shb_userappl), interfaces with nanosecond timestamps
// (if_tsresol = 9), and Enhanced Packet Blocks with optional opt_comment options.
import * as bytes from './bytes.js';
import { FileSink } from './file-sink.js';
import * as pcapngFormat from './pcapng-format.js';
import * as pcapngOptions from './pcapng-options.js';
import * as timestamp from './timestamp.js';
import { CaptureFileError } from './types.js';
import { APP_VERSION } from '../version.js';

// Local aliases of the byte readers: a loader that compiles ES modules to CommonJS (tsx in tests and
// benches) turns every imported call into a property getter; aliases make them direct calls.
const { pad4, putU16le, putU32le } = bytes;
const { nanosToHiLo, checkTimestamp } = timestamp;
const { BLOCK_EPB, BLOCK_IDB, BLOCK_SHB, BYTE_ORDER_MAGIC } = pcapngFormat;
const { OPT_COMMENT } = pcapngOptions;

export interface PcapngInterfaceSpec {
  linkType: number;
  name?: string;
  description?: string;
  /** default 262144 */
  snapLength?: number;
}

export interface PcapngPacketSpec {
  interfaceId: number;
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  /** default data.length */
  originalLength?: number;
  comments?: string[];
}

export interface PcapngWriterOptions {
  /** shb_userappl; default "ProxyScope <version>" */
  application?: string;
  /** section comment (opt_comment on the SHB) */
  comment?: string;
}

interface Option {
  code: number;
  value: Uint8Array;
}

const encoder = new TextEncoder();
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const SHB_USERAPPL = 4;

function optionsLength(options: Option[]): number {
  if (options.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const o of options) n += 4 + pad4(o.value.length);
  return n;
}

function putOptions(buf: Uint8Array, at: number, options: Option[]): number {
  if (options.length === 0) return at;
  let p = at;
  for (const o of options) {
    putU16le(buf, p, o.code);
    putU16le(buf, p + 2, o.value.length);
    buf.set(o.value, p + 4);
    buf.fill(0, p + 4 + o.value.length, p + 4 + pad4(o.value.length));
    p += 4 + pad4(o.value.length);
  }
  putU32le(buf, p, 0);
  return p + 4;
}

function stringOption(code: number, s: string): Option {
  const value = encoder.encode(s);
  if (value.length > 0xffff)
    throw new CaptureFileError(
      'bad-field',
      0,
      `pcapng option ${code} is too long (${value.length} bytes; the limit is 65535).`,
    );
  return { code, value };
}

export class PcapngWriter {
  private readonly sink: FileSink;
  private readonly interfaces: number[] = [];
  private readonly ts = { hi: 0, lo: 0 };

  /** `target`: a path (created or truncated) or an open fd (not closed by close()). */
  constructor(target: string | number, options: PcapngWriterOptions = {}) {
    this.sink = new FileSink(target);
    const shbOptions = [stringOption(SHB_USERAPPL, options.application ?? `ProxyScope ${APP_VERSION}`)];
    if (options.comment) shbOptions.unshift(stringOption(OPT_COMMENT, options.comment));
    const len = 28 + optionsLength(shbOptions);
    const { buf, at } = this.sink.reserve(len);
    putU32le(buf, at, BLOCK_SHB);
    putU32le(buf, at + 4, len);
    putU32le(buf, at + 8, BYTE_ORDER_MAGIC);
    putU16le(buf, at + 12, 1);
    putU16le(buf, at + 14, 0);
    putU32le(buf, at + 16, 0xffffffff); // section length unknown (-1)
    putU32le(buf, at + 20, 0xffffffff);
    putU32le(buf, putOptions(buf, at + 24, shbOptions), len);
  }

  /** Current file size including buffered bytes. */
  get bytesWritten(): number {
    return this.sink.offset;
  }

  /** Adds an interface and returns its id for writePacket. */
  addInterface(spec: PcapngInterfaceSpec): number {
    const options: Option[] = [];
    if (spec.name !== undefined) options.push(stringOption(IF_NAME, spec.name));
    if (spec.description !== undefined) options.push(stringOption(IF_DESCRIPTION, spec.description));
    options.push({ code: IF_TSRESOL, value: Uint8Array.of(9) });
    const len = 20 + optionsLength(options);
    const { buf, at } = this.sink.reserve(len);
    putU32le(buf, at, BLOCK_IDB);
    putU32le(buf, at + 4, len);
    putU16le(buf, at + 8, spec.linkType);
    putU16le(buf, at + 10, 0);
    putU32le(buf, at + 12, spec.snapLength ?? 262144);
    putU32le(buf, putOptions(buf, at + 16, options), len);
    this.sink.maybeFlush();
    this.interfaces.push(spec.linkType);
    return this.interfaces.length - 1;
  }

  /** Appends one packet; returns the absolute file offset of its data (for CaptureFileReader). */
  writePacket(p: PcapngPacketSpec): number {
    if (p.interfaceId >= this.interfaces.length || p.interfaceId < 0) {
      throw new CaptureFileError(
        'bad-field',
        this.sink.offset,
        `writePacket: interface ${p.interfaceId} was not added (${this.interfaces.length} interface(s)).`,
      );
    }
    checkTimestamp(p.tsSec, p.tsNsec, 18_446_744_073, this.sink.offset); // 2^64 ns
    const data = p.data;
    const options =
      p.comments && p.comments.length > 0 ? p.comments.map((c) => stringOption(OPT_COMMENT, c)) : undefined;
    const len = 32 + pad4(data.length) + (options ? optionsLength(options) : 0);
    const start = this.sink.offset;
    const { buf, at } = this.sink.reserve(len);
    nanosToHiLo(p.tsSec, p.tsNsec, this.ts);
    putU32le(buf, at, BLOCK_EPB);
    putU32le(buf, at + 4, len);
    putU32le(buf, at + 8, p.interfaceId);
    putU32le(buf, at + 12, this.ts.hi);
    putU32le(buf, at + 16, this.ts.lo);
    putU32le(buf, at + 20, data.length);
    putU32le(buf, at + 24, p.originalLength ?? data.length);
    buf.set(data, at + 28);
    let end = at + 28 + data.length;
    const padded = at + 28 + pad4(data.length);
    while (end < padded) buf[end++] = 0;
    if (options) end = putOptions(buf, end, options);
    putU32le(buf, end, len);
    this.sink.maybeFlush();
    return start + 28;
  }

  /** Hands every buffered byte to the kernel (survives a crash of this process). */
  flush(): void {
    this.sink.flush();
  }

  close(): void {
    this.sink.close();
  }
}
