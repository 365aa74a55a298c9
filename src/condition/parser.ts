/**
 * Recursive-descent parser for Sigma conditions. Precedence, loosest first: `or` < `and` < `not` < `x of` <
 * parentheses. Problems come back as data with offsets; the caller locates them in the file.
 */
import type { ConditionNode } from './ast.js';
import { lex } from './lexer.js';
import type { Token, TokenKind } from './lexer.js';

export type ConditionProblemKind = 'syntax' | 'parens' | 'quantifier' | 'aggregation' | 'uppercase';

export interface ConditionProblem {
  readonly kind: ConditionProblemKind;
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface ParsedCondition {
  /** Undefined when the condition has a syntax error. */
  readonly ast?: ConditionNode;
  readonly problems: readonly ConditionProblem[];
}

class Stop extends Error {}

const OPERATORS: ReadonlySet<TokenKind> = new Set(['and', 'or', 'not', 'of', 'them', 'any', 'all']);

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the condition';
  return `'${token.text}'`;
}

class Parser {
  private index = 0;
  readonly problems: ConditionProblem[] = [];

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind === 'ident' || token.kind === 'pattern' || token.kind === 'number' || token.kind === 'end') {
      // fall through: not an operator
    } else if (OPERATORS.has(token.kind) && token.text !== token.text.toLowerCase()) {
      this.problems.push({
        kind: 'uppercase',
        message: `operator '${token.text}' is not lower case; read as '${token.kind}'`,
        start: token.start,
        end: token.end,
      });
    }
    this.index++;
    return token;
  }

  private fail(kind: ConditionProblemKind, message: string, token: Token): never {
    this.problems.push({ kind, message, start: token.start, end: Math.max(token.end, token.start + 1) });
    throw new Stop();
  }

  private unexpected(token: Token, expected: string): never {
    if (token.kind === 'pipe') {
      this.fail('aggregation', `pipe aggregation '${token.text.trim()}' is obsolete; use a correlation rule`, token);
    }
    if (token.kind === 'rparen') this.fail('parens', `unmatched ')'`, token);
    this.fail('syntax', `expected ${expected}, found ${describe(token)}`, token);
  }

  parseCondition(): ConditionNode {
    const node = this.parseOr();
    const token = this.peek();
    if (token.kind !== 'end') this.unexpected(token, "'and', 'or' or the end of the condition");
    return node;
  }

  private parseOr(): ConditionNode {
    const children = [this.parseAnd()];
    while (this.peek().kind === 'or') {
      this.next();
      children.push(this.parseAnd());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  private parseAnd(): ConditionNode {
    const children = [this.parseNot()];
    while (this.peek().kind === 'and') {
      this.next();
      children.push(this.parseNot());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private parseNot(): ConditionNode {
    if (this.peek().kind === 'not') {
      this.next();
      return { kind: 'not', child: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): ConditionNode {
    const token = this.peek();
    const followedByOf = this.peek(1).kind === 'of';
    if (token.kind === 'lparen') {
      this.next();
      const inner = this.parseOr();
      const close = this.peek();
      if (close.kind !== 'rparen') {
        if (close.kind === 'end') this.fail('parens', `'(' is never closed`, token);
        this.unexpected(close, "')'");
      }
      this.next();
      return inner;
    }
    if (followedByOf && (token.kind === 'any' || token.kind === 'all' || token.kind === 'number')) {
      return this.parseOf();
    }
    if (token.kind === 'ident' || token.kind === 'any' || token.kind === 'all' || token.kind === 'them') {
      // `any`, `all` and `them` not in an `x of` form can only be names.
      this.index++;
      return { kind: 'ident', name: token.text, start: token.start, end: token.end };
    }
    if (token.kind === 'pattern') {
      this.fail('syntax', `a name pattern like '${token.text}' needs '1 of' or 'all of' before it`, token);
    }
    if (token.kind === 'number') this.fail('syntax', `a number must be followed by 'of'`, token);
    return this.unexpected(token, 'a search identifier, "not", "(" or "1 of"/"all of"');
  }

  private parseOf(): ConditionNode {
    const quant = this.next();
    if (quant.kind === 'number' && quant.text !== '1') {
      this.fail('quantifier', `'${quant.text} of' is not supported; use '1 of' or 'all of'`, quant);
    }
    this.next(); // of
    const target = this.peek();
    if (target.kind === 'them') {
      this.next();
      return this.ofNode(quant, { them: true }, target);
    }
    if (target.kind === 'ident' || target.kind === 'pattern' || target.kind === 'any' || target.kind === 'all') {
      this.index++;
      return this.ofNode(quant, { them: false, pattern: target.text }, target);
    }
    return this.unexpected(target, "a name pattern or 'them'");
  }

  private ofNode(quant: Token, target: { them: true } | { them: false; pattern: string }, last: Token): ConditionNode {
    return { kind: 'of', quantifier: quant.kind === 'all' ? 'all' : 'any', target, start: last.start, end: last.end };
  }
}

export function parseCondition(text: string): ParsedCondition {
  const { tokens, problem } = lex(text);
  if (problem !== undefined) return { problems: [{ kind: 'syntax', ...problem }] };
  const parser = new Parser(tokens);
  if (tokens[0]?.kind === 'end') {
    return { problems: [{ kind: 'syntax', message: 'the condition is empty', start: 0, end: text.length }] };
  }
  try {
    const ast = parser.parseCondition();
    return { ast, problems: parser.problems };
  } catch (e) {
    if (e instanceof Stop) return { problems: parser.problems };
    throw e;
  }
}
