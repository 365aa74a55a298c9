/** Error cases with exact `line:col` locations. */
import { describe, expect, it } from 'vitest';
import { detect, where } from './helpers.js';

describe('diagnostic locations', () => {
  it('unknown modifier: points at the modifier inside the key, with a suggestion', () => {
    const r = detect(
      [
        'title: t',
        'detection:',
        '    selection:',
        '        Operation|contians: Set-Mailbox',
        '    condition: selection',
        '',
      ].join('\n'),
    );
    expect(where(r)).toEqual(['RC201 4:19']);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe("unknown modifier 'contians'");
    expect(d.label).toBe("did you mean 'contains'?");
    expect(d.span?.end.col).toBe(27);
    expect(d.file).toBe('rule.yml');
  });

  it('unknown modifier in a quoted key: offsets shift past the quote', () => {
    const r = detect(['detection:', '  sel:', "    'A|strtswith': x", '  condition: sel', ''].join('\n'));
    expect(where(r)).toEqual(['RC201 3:8']);
    expect(r.diagnostics[0]!.label).toBe("did you mean 'startswith'?");
  });

  it('undefined identifier inside a plain condition', () => {
    const r = detect(
      ['detection:', '  selection:', '    A: 1', '  condition: selection and not filter', ''].join('\n'),
    );
    expect(where(r)).toEqual(['RC303 4:32']);
    expect(r.diagnostics[0]!.span?.end.col).toBe(38);
  });

  it('undefined identifier inside a single-quoted condition', () => {
    const r = detect(['detection:', '  selection:', '    A: 1', "  condition: 'selection or slection'", ''].join('\n'));
    expect(where(r)).toEqual(['RC303 4:28']);
    expect(r.diagnostics[0]!.label).toBe("did you mean 'selection'?");
  });

  it('double-quoted condition: points at the scalar and names the column', () => {
    const r = detect(['detection:', '  sel:', '    A: 1', '  condition: "sel or nope"', ''].join('\n'));
    expect(where(r)).toEqual(['RC303 4:14']);
    expect(r.diagnostics[0]!.message).toBe("undefined search identifier 'nope' (column 8 of the condition)");
  });

  it('bad cidr: points at the value', () => {
    const r = detect(
      ['detection:', '  sel:', '    Ip|cidr:', '      - 10.0.0.0/8', '      - 10.0.0.1/8', '  condition: sel', ''].join(
        '\n',
      ),
    );
    expect(where(r)).toEqual(['RC207 5:9']);
    expect(r.diagnostics[0]!.notes).toEqual(["did you mean '10.0.0.0/8'?"]);
  });

  it('unbalanced parentheses: points at the open parenthesis', () => {
    const r = detect(
      ['detection:', '  a:', '    A: 1', '  b:', '    B: 1', '  condition: a and (b or a', ''].join('\n'),
    );
    expect(where(r)).toEqual(['RC302 6:20']);
  });

  it('extra closing parenthesis', () => {
    const r = detect(['detection:', '  a:', '    A: 1', '  condition: a)', ''].join('\n'));
    expect(where(r)).toEqual(['RC302 4:15']);
  });

  it('misplaced modifier: points at it', () => {
    const r = detect(['detection:', '  a:', '    C|contains|re: x', '  condition: a', ''].join('\n'));
    expect(where(r)).toEqual(['RC202 3:16']);
  });

  it('unused selection: points at its key', () => {
    const r = detect(['detection:', '  a:', '    A: 1', '  b:', '    B: 1', '  condition: a', ''].join('\n'));
    expect(where(r)).toEqual(['RC307 4:3']);
  });
});
