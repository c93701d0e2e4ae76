// Wireshark lets a filter treat a protocol as the bytes it spans (`http contains "Proxy"`,
// `tls matches "cisco"`). The engine's FieldSource gives field values only, so this wraps it:
// a protocol name with no values of its own yields the bytes under its nodes in the tree.
import type { FieldNode, FieldSource, FieldValue, PacketDetail } from '../dissect/types.js';

function collect(
  nodes: FieldNode[] | undefined,
  name: string,
  detail: PacketDetail,
  out: FieldValue[],
): void {
  if (!nodes) return;
  for (const n of nodes) {
    if (n.field === name && !n.generated && n.length > 0) {
      const src = n.source ? detail.extraSources[n.source - 1]?.bytes : detail.bytes;
      if (src && n.offset >= 0 && n.offset + n.length <= src.length)
        out.push(src.subarray(n.offset, n.offset + n.length));
    }
    collect(n.children, name, detail, out);
  }
}

export function withProtocolBytes(detail: PacketDetail, fields: FieldSource): FieldSource {
  const cache = new Map<string, readonly FieldValue[]>();
  return {
    hasProtocol: (name) => fields.hasProtocol(name),
    values(name) {
      const own = fields.values(name);
      // a protocol's own values are only presence marks (true): the bytes stand for it
      if (!fields.hasProtocol(name) || own.some((v) => v !== true)) return own;
      let bytes = cache.get(name);
      if (!bytes) {
        const out: FieldValue[] = [];
        collect(detail.tree, name, detail, out);
        cache.set(name, (bytes = out.length > 0 ? out : own));
      }
      return bytes;
    },
  };
}
