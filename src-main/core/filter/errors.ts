// The one error a display filter can produce. It always says where (a 1-based column, as the
// filter bar underlines it) and what was expected there.

export class FilterError extends Error {
  override name = 'FilterError';
  /** 0-based offset of the problem in the filter text */
  readonly position: number;
  /** 1-based column (= position + 1); filters are one line */
  readonly column: number;
  /** how many characters the problem spans (at least 1), for underlining */
  readonly length: number;
  /** the message without the "1:col: " prefix */
  readonly detail: string;

  constructor(position: number, detail: string, length = 1) {
    super(`1:${position + 1}: ${detail}`);
    this.position = position;
    this.column = position + 1;
    this.length = Math.max(1, length);
    this.detail = detail;
  }
}
