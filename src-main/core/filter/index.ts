// Display filters: the subset of Wireshark's syntax admins type every day.
//
//   filter   := or
//   or       := and (("||" | "or" | "^^" | "xor") and)*
//   and      := not (("&&" | "and") not)*
//   not      := ("!" | "not") not | "(" or ")" | test
//   test     := ["any" | "all"] field [slice]
//               [ cmpop value | "contains" value | ("matches" | "~") string | ["not"] "in" set ]
//   cmpop    := == != === !== ~= < > <= >= eq ne any_eq all_ne all_eq any_ne lt gt le ge
//   set      := "{" value [".." value] ([","] value [".." value])* "}"
//   slice    := "[" start ":" length | start "-" end | offset | start ":" | ":" length "]"
//
// `==` is true if any occurrence equals (ip.addr == X: either side); `!=` is true if all differ
// (Wireshark ≥ 3.6); `matches` is case-insensitive unless the pattern starts with (?-i).
export { FilterError } from './errors.js';
export { compileFilter, BUILTIN_PROTOCOLS, type CompiledFilter, type CompileOptions } from './compile.js';
export { parseFilter, type FilterNode, type FieldRef } from './parser.js';

/** A blank filter shows every packet; callers check this before compiling. */
export function isEmptyFilter(text: string | null | undefined): boolean {
  return text === null || text === undefined || text.trim() === '';
}
