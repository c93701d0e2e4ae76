/**
 * A curl -v style transcript: `*` notes, `>` sent header lines, `<` received header lines.
 * Credentials never enter it: Proxy-Authorization / Authorization values are masked on the way in.
 */
const SECRET_HEADERS = /^(proxy-authorization|authorization)\s*:\s*(\S+)/i;

export function maskHeaderLine(line: string): string {
  const m = SECRET_HEADERS.exec(line);
  if (!m) return line;
  return `${line.slice(0, line.indexOf(':'))}: ${m[2]} [redacted]`;
}

export class Transcript {
  private lines: string[] = [];
  constructor(private readonly secrets: string[] = []) {}
  private scrub(text: string): string {
    let t = text;
    for (const s of this.secrets) if (s.length >= 1) t = t.split(s).join('[redacted]');
    return t;
  }
  note(text: string): void {
    for (const l of text.split('\n')) this.lines.push(this.scrub(`* ${l}`));
  }
  sent(head: string): void {
    for (const l of head.split(/\r?\n/)) if (l !== '') this.lines.push(this.scrub(`> ${maskHeaderLine(l)}`));
    this.lines.push('>');
  }
  received(head: string): void {
    for (const l of head.split(/\r?\n/)) if (l !== '') this.lines.push(this.scrub(`< ${l}`));
    this.lines.push('<');
  }
  body(text: string): void {
    for (const l of text.split(/\r?\n/)) this.lines.push(this.scrub(`{ ${l}`));
  }
  toString(): string {
    return this.lines.join('\n');
  }
}
