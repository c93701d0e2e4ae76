// Hand-built DNS messages for the tests.
export function name(n: string): number[] {
  const out: number[] = [];
  for (const l of n.split('.')) {
    out.push(l.length, ...Buffer.from(l, 'latin1'));
  }
  out.push(0);
  return out;
}
const u16 = (v: number) => [v >> 8, v & 0xff];
const u32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];

export interface RR {
  name: number[];
  type: number;
  ttl?: number;
  data: number[];
}

export function dnsMessage(
  id: number,
  flags: number,
  questions: { name: string; type: number }[],
  answers: RR[] = [],
  authority: RR[] = [],
  additional: RR[] = [],
): Uint8Array {
  const out: number[] = [
    ...u16(id),
    ...u16(flags),
    ...u16(questions.length),
    ...u16(answers.length),
    ...u16(authority.length),
    ...u16(additional.length),
  ];
  for (const q of questions) out.push(...name(q.name), ...u16(q.type), ...u16(1));
  for (const r of [...answers, ...authority, ...additional]) {
    out.push(...r.name, ...u16(r.type), ...u16(1), ...u32(r.ttl ?? 60), ...u16(r.data.length), ...r.data);
  }
  return Uint8Array.from(out);
}

export const PTR_QNAME = [0xc0, 0x0c];
export { u16, u32 };
