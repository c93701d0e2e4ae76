/**
 * A curl -v style transcript: `*` notes, `>` sent header lines, `<` received header lines.
 * Credentials never enter it: Proxy-Authorization / Authorization values are masked on the way in.
 */
const REDACTED = '[redacted]';
const SECRET_HEADERS = /^(proxy-authorization|authorization)\s*:\s*(\S+)/i;

export function maskHeaderLine(line: string): string {
  const m = SECRET_HEADERS.exec(line);
  if (!m) return line;
  return `${line.slice(0, line.indexOf(':'))}: ${m[2]} ${REDACTED}`;
}

/** Where a line starts to carry a credential: after an *Authorization header's scheme, or after
 *  `pass=` / `password:`. */
const CREDENTIAL_VALUE = /(?:authorization\s*:\s*\S+|pass(?:word)?\s*[=:])/i;
/** Secrets at least this long are scrubbed from every line; shorter ones would mangle unrelated text. */
const SCRUB_EVERYWHERE = 3;

/** Replaces `secret` in `text`, leaving the markers of earlier replacements whole. */
function redact(text: string, secret: string): string {
  return text
    .split(REDACTED)
    .map((piece) => piece.split(secret).join(REDACTED))
    .join(REDACTED);
}

export class Transcript {
  private lines: string[] = [];
  /** secrets to keep out of the transcript (empty ones are ignored) */
  constructor(private readonly secrets: string[] = []) {}
  private scrub(text: string): string {
    let t = text;
    for (const s of this.secrets) {
      if (s.length >= SCRUB_EVERYWHERE) t = redact(t, s);
      else if (s.length > 0) {
        // a 1-2 character password is masked only in the part of a line that carries credentials
        const m = CREDENTIAL_VALUE.exec(t);
        if (m) t = t.slice(0, m.index + m[0].length) + redact(t.slice(m.index + m[0].length), s);
      }
    }
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
