import { describe, expect, it } from 'vitest';
import { lex } from '../../src/condition/lexer.js';
import { matchesNamePattern } from '../../src/condition/name-pattern.js';
import { parseCondition } from '../../src/condition/parser.js';
import { detect, errorsOf, show } from './helpers.js';

/** A detection with one-field selections named after their field, so the IR shows which selection went where. */
function cond(condition: string, names = ['a', 'b', 'c', 'd']): ReturnType<typeof detect> {
  const body = names.map((n) => `  ${n}:\n    ${n.replace(/[^A-Za-z0-9_]/g, '_')}: 1\n`).join('');
  return detect(`detection:\n${body}  condition: ${condition}\n`);
}

function irOf(condition: string, names?: string[]): string {
  const r = cond(condition, names);
  expect(errorsOf(r)).toEqual([]);
  return show(r.node);
}

describe('condition precedence: or < and < not < x of < ( )', () => {
  it('a or b and not c', () => {
    expect(irOf('a or b and not c', ['a', 'b', 'c'])).toBe('or(a=#1, and(b=#1, not(c=#1)))');
  });

  it('not a and b', () => {
    expect(irOf('not a and b', ['a', 'b'])).toBe('and(not(a=#1), b=#1)');
  });

  it('parentheses override', () => {
    expect(irOf('(a or b) and not (c or d)')).toBe('and(or(a=#1, b=#1), not(or(c=#1, d=#1)))');
  });

  it('not binds a whole x-of', () => {
    expect(irOf('a and not 1 of f*', ['a', 'f1', 'f2'])).toBe('and(a=#1, not(or(f1=#1, f2=#1)))');
  });

  it('double negation cancels', () => {
    expect(irOf('not not a', ['a'])).toBe('a=#1');
  });

  it('accepts operators in any letter case, with a portability warning', () => {
    const r = cond('a OR b And NOT c', ['a', 'b', 'c']);
    expect(show(r.node)).toBe('or(a=#1, and(b=#1, not(c=#1)))');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['RC309', 'RC309', 'RC309']);
  });

  it('a list of conditions is OR-linked', () => {
    const r = detect('detection:\n  a:\n    a: 1\n  b:\n    b: 1\n  condition:\n    - a\n    - b\n');
    expect(show(r.node)).toBe('or(a=#1, b=#1)');
  });
});

describe('x of', () => {
  it('1 of / any of → OR, all of → AND, patterns with * anywhere', () => {
    const names = ['sel_a', 'sel_b', 'x_sel', 'other'];
    expect(irOf('1 of sel_*', names)).toBe('or(sel_a=#1, sel_b=#1)');
    expect(irOf('any of sel_*', names)).toBe('or(sel_a=#1, sel_b=#1)');
    expect(irOf('all of sel_*', names)).toBe('and(sel_a=#1, sel_b=#1)');
    expect(irOf('1 of *sel*', names)).toBe('or(sel_a=#1, sel_b=#1, x_sel=#1)');
    expect(irOf('all of *_b and other', names)).toBe('and(sel_b=#1, other=#1)');
  });

  it('them and patterns skip _names unless the pattern starts with _', () => {
    const names = ['a', 'b', '_f'];
    expect(irOf('all of them', names)).toBe('and(a=#1, b=#1)');
    expect(irOf('1 of * and not _f', names)).toBe('and(or(a=#1, b=#1), not(_f=#1))');
    expect(irOf('1 of _*', names)).toBe('_f=#1');
  });

  it('2 of is rejected', () => {
    expect(errorsOf(cond('2 of a*'))).toEqual(['RC305']);
  });

  it('a pattern matching nothing is an error', () => {
    expect(errorsOf(cond('1 of zz*'))).toEqual(['RC304']);
  });

  it('matches name patterns exactly', () => {
    expect(matchesNamePattern('a*b*c', 'aXbYc')).toBe(true);
    expect(matchesNamePattern('a*b*c', 'aXcYb')).toBe(false);
    expect(matchesNamePattern('a*a', 'a')).toBe(false);
    expect(matchesNamePattern('filter_main_*', 'filter_main_mdadm.conf')).toBe(true);
  });
});

describe('identifiers that begin with a keyword', () => {
  it.each(['notepad', 'selection_or_filter', 'andromeda', 'allowed_apps_key', 'ornament', 'them_all', 'of_x'])(
    '%s is one identifier',
    (name) => {
      expect(irOf(`${name} and not ${name}_x`, [name, `${name}_x`])).toBe(`and(${name}=#1, not(${name}_x=#1))`);
    },
  );

  it('lexes dotted and piped identifiers as single words', () => {
    expect(lex('filter_main_mdadm.conf or select_tree_execution|endswith').tokens.map((t) => t.kind)).toEqual([
      'ident',
      'or',
      'ident',
      'end',
    ]);
  });

  it('handles the odd corpus names through patterns and warns about them', () => {
    const r = cond('1 of select* and not 1 of filter_main_*', [
      'select_tree_execution|endswith',
      'filter_main_mdadm.conf',
    ]);
    expect(errorsOf(r)).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['RC217', 'RC217']);
  });
});

describe('condition errors', () => {
  it('unbalanced parentheses', () => {
    expect(parseCondition('(a or b').problems.map((p) => [p.kind, p.start])).toEqual([['parens', 0]]);
    expect(parseCondition('a or b)').problems.map((p) => [p.kind, p.start])).toEqual([['parens', 6]]);
  });

  it('syntax errors', () => {
    expect(parseCondition('a and').problems.map((p) => p.kind)).toEqual(['syntax']);
    expect(parseCondition('a b').problems.map((p) => p.kind)).toEqual(['syntax']);
    expect(parseCondition('sel*').problems.map((p) => p.kind)).toEqual(['syntax']);
    expect(parseCondition('a = b').problems.map((p) => [p.kind, p.start])).toEqual([['syntax', 2]]);
    expect(parseCondition('').problems.map((p) => p.kind)).toEqual(['syntax']);
  });

  it('pipe aggregation has its own error', () => {
    expect(errorsOf(cond('a | count() by b > 5'))).toEqual(['RC306']);
  });

  it('unused selections warn', () => {
    const r = cond('a', ['a', 'b']);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['RC307', "search identifier 'b' is not used by the condition"],
    ]);
  });

  it('a missing condition is an error', () => {
    expect(errorsOf(detect('detection:\n  a:\n    x: 1\n'))).toEqual(['RC308']);
  });
});
