import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { diagnosticToJson, formatDiagnostic } from '../../src/diagnostics/format.js';
import '../../src/diagnostics/frontend-codes.js';

const SOURCE = [
  'title: x',
  ...Array.from({ length: 12 }, (_, i) => `# filler ${i}`),
  'detection:',
  '    Operation|contians: Set-MailboxAuditBypassAssociation',
  '',
].join('\n');

const offsetOf = (line: number, col: number): number =>
  SOURCE.split('\n')
    .slice(0, line - 1)
    .reduce((n, l) => n + l.length + 1, 0) +
  col -
  1;

const unknownModifier: Diagnostic = {
  code: 'RC201',
  severity: 'error',
  message: "unknown modifier 'contians'",
  file: 'rules/m365/audit_bypass.yml',
  span: {
    start: { offset: offsetOf(15, 15), line: 15, col: 15 },
    end: { offset: offsetOf(15, 23), line: 15, col: 23 },
  },
  label: "did you mean 'contains'?",
  notes: ['modifiers are separated by |'],
};

describe('formatDiagnostic', () => {
  it('draws a Rust-style frame with caret, label and notes', () => {
    expect(SOURCE.split('\n')[14]?.slice(14, 22)).toBe('contians');
    expect(formatDiagnostic(unknownModifier, SOURCE)).toBe(
      [
        "error[RC201]: unknown modifier 'contians'",
        ' --> rules/m365/audit_bypass.yml:15:15',
        '   |',
        '15 |     Operation|contians: Set-MailboxAuditBypassAssociation',
        "   |               ^^^^^^^^ did you mean 'contains'?",
        '   = note: modifiers are separated by |',
      ].join('\n'),
    );
  });

  it('aligns a one-digit line number like rustc', () => {
    const d: Diagnostic = {
      code: 'RC103',
      severity: 'warning',
      message: 'something',
      file: 'r.yml',
      span: { start: { offset: 7, line: 1, col: 8 }, end: { offset: 8, line: 1, col: 9 } },
    };
    expect(formatDiagnostic(d, 'title: x\n')).toBe(
      ['warning[RC103]: something', ' --> r.yml:1:8', '  |', '1 | title: x', '  |        ^'].join('\n'),
    );
  });

  it('underlines a multi-line span to the end of its first line and keeps tabs for alignment', () => {
    const text = 'a:\n\tb: [1,\n  2]\n';
    const d: Diagnostic = {
      code: 'RC102',
      severity: 'error',
      message: 'm',
      file: 'r.yml',
      span: { start: { offset: 7, line: 2, col: 5 }, end: { offset: 15, line: 3, col: 5 } },
    };
    expect(formatDiagnostic(d, text).split('\n').slice(3)).toEqual(['2 | \tb: [1,', '  | \t   ^^^']);
  });

  it('leaves the frame out without source text and shows the label as a note', () => {
    expect(formatDiagnostic(unknownModifier)).toBe(
      [
        "error[RC201]: unknown modifier 'contians'",
        ' --> rules/m365/audit_bypass.yml:15:15',
        "   = note: did you mean 'contains'?",
        '   = note: modifiers are separated by |',
      ].join('\n'),
    );
  });

  it('formats a file-level diagnostic without a position', () => {
    const d: Diagnostic = { code: 'RC003', severity: 'error', message: 'file contains a NUL byte', file: 'bin.yml' };
    expect(formatDiagnostic(d, 'x')).toBe('error[RC003]: file contains a NUL byte\n --> bin.yml');
  });

  it('adds colours only when asked', () => {
    expect(formatDiagnostic(unknownModifier, SOURCE)).not.toContain('\x1b[');
    const coloured = formatDiagnostic(unknownModifier, SOURCE, { color: true });
    expect(coloured).toContain('\x1b[31m');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(formatDiagnostic(unknownModifier, SOURCE));
  });
});

describe('diagnosticToJson', () => {
  it('flattens positions and adds the catalogue summary', () => {
    const d: Diagnostic = { ...unknownModifier, code: 'RC105' };
    expect(diagnosticToJson(d)).toEqual({
      code: 'RC105',
      severity: 'error',
      message: "unknown modifier 'contians'",
      summary: 'unknown key where only known keys are allowed',
      file: 'rules/m365/audit_bypass.yml',
      line: 15,
      col: 15,
      endLine: 15,
      endCol: 23,
      offset: offsetOf(15, 15),
      endOffset: offsetOf(15, 23),
      label: "did you mean 'contains'?",
      notes: ['modifiers are separated by |'],
    });
  });

  it('leaves absent fields out', () => {
    expect(diagnosticToJson({ code: 'RC999x', severity: 'info', message: 'm' })).toEqual({
      code: 'RC999x',
      severity: 'info',
      message: 'm',
    });
  });
});
