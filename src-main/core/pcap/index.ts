/**
 * Capture files for ProxyScope: read classic pcap and pcapng (files or pipes), write pcapng and pcap.
 *
 * - createCaptureParser(handlers): push parser; feed chunks (e.g. tcpdump -w - stdout), get
 *   RawPackets as soon as each record is complete. packet.data is a view valid only during onPacket.
 * - readCaptureFile / readCaptureFileSync(path, onPacket, opts): stream a file with a fixed buffer.
 * - CaptureFileReader.open(path).readBytes(dataOffset, length): random access for the store.
 * - PcapngWriter / PcapWriter: buffered writers; writePacket returns the packet's dataOffset;
 *   flush() makes everything written so far survive a crash.
 * Every problem with a file is a CaptureFileError naming the byte offset; packets before it were
 * already delivered. Interface ids are unique across pcapng sections.
 */
export { createCaptureParser, type CaptureParser, type CaptureParserHandlers } from './parser.js';
export {
  readCaptureFile,
  readCaptureFileSync,
  CaptureFileReader,
  type ReadCaptureOptions,
  type ReadCaptureResult,
} from './file-reader.js';
export {
  PcapngWriter,
  type PcapngInterfaceSpec,
  type PcapngPacketSpec,
  type PcapngWriterOptions,
} from './pcapng-writer.js';
export { PcapWriter, type PcapWriterOptions, type PcapPacketSpec } from './pcap-writer.js';
export { isSupportedLinkType, describeLinkType } from './link-types.js';
export {
  LinkType,
  CaptureFileError,
  type CaptureFileErrorCode,
  type CaptureInterfaceInfo,
  type RawPacket,
} from './types.js';
