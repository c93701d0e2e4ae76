// pcapng options: code(2) length(2) value padded to 32 bits, ended by opt_endofopt or the block end.
import { pad4, u16 } from './bytes.js';
import { CaptureFileError } from './types.js';

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;

/**
 * Calls visit(code, valueStart, valueLength) for each option in b[start, end). `abs0` is the stream
 * offset of b[0], for error messages.
 */
export function forEachOption(
  b: Uint8Array,
  start: number,
  end: number,
  le: boolean,
  abs0: number,
  where: string,
  visit: (code: number, valueStart: number, valueLength: number) => void,
): void {
  let p = start;
  while (p + 4 <= end) {
    const code = u16(b, p, le);
    const length = u16(b, p + 2, le);
    if (code === OPT_ENDOFOPT) return;
    if (p + 4 + length > end) {
      throw new CaptureFileError(
        'bad-field',
        abs0 + p,
        `Option ${code} of the ${where} at byte offset ${abs0 + p} is ${length} bytes long, which runs past the end of its block.`,
        'The file is damaged here; the packets before it were read. Try `editcap -F pcapng IN OUT` to rewrite it.',
      );
    }
    visit(code, p + 4, length);
    p += 4 + pad4(length);
  }
}
