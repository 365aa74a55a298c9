/**
 * Tokens of a Sigma condition. Words are maximal runs of `[A-Za-z0-9_.|*-]` and only a whole word is a
 * keyword, so `notepad`, `selection_or_filter` and `andromeda` are identifiers (pySigma's grammar splits
 * `notepad` into `not epad`). Keywords are matched in any letter case.
 */

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'and'
  | 'or'
  | 'not'
  | 'of'
  | 'them'
  | 'any'
  | 'all'
  | 'number'
  | 'ident'
  | 'pattern'
  | 'pipe'
  | 'end';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Offsets into the condition string, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export interface LexProblem {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'of', 'them', 'any', 'all']);

function isWordChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x5f || // _
    code === 0x2e || // .
    code === 0x7c || // |
    code === 0x2a || // *
    code === 0x2d // -
  );
}

function classify(word: string): TokenKind {
  const lower = word.toLowerCase();
  if (KEYWORDS.has(lower)) return lower as TokenKind;
  if (/^\d+$/.test(word)) return 'number';
  return word.includes('*') ? 'pattern' : 'ident';
}

/** Tokenises the condition; stops at a pipe (the obsolete aggregation syntax), whose token ends the list. */
export function lex(text: string): { tokens: Token[]; problem?: LexProblem } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, start: i, end: i + 1 });
      i++;
    } else if (c === '|') {
      // A pipe at the start of a word begins an aggregation (`| count() by x > 5`); inside a word it is part of
      // an odd identifier such as `select_tree_execution|endswith`.
      tokens.push({ kind: 'pipe', text: text.slice(i), start: i, end: text.length });
      return { tokens };
    } else if (isWordChar(text.charCodeAt(i))) {
      const start = i;
      while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: classify(word), text: word, start, end: i });
    } else {
      const char = String.fromCodePoint(text.codePointAt(i)!);
      return {
        tokens,
        problem: { message: `unexpected character '${char}' in the condition`, start: i, end: i + char.length },
      };
    }
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length });
  return { tokens };
}
