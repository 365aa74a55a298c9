/** Diagnostics for people (a Rust-style code frame) and for tools (plain JSON). */
import { codeInfo } from './codes.js';
import type { Diagnostic, Severity } from './diagnostic.js';
import { printable } from './printable.js';

export interface FormatOptions {
  /** ANSI colours; off by default so output is stable in files, CI logs and tests. */
  readonly color?: boolean;
}

const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  blue: '\x1b[34m',
};

/**
 * ```
 * error[RC201]: unknown modifier 'contians'
 *  --> rules/m365/audit_bypass.yml:14:15
 *    |
 * 14 |     Operation|contians: Set-MailboxAuditBypassAssociation
 *    |               ^^^^^^^^ did you mean 'contains'?
 *    = note: …
 * ```
 * Without `sourceText` (or a span) the frame is left out and the label becomes a note. No trailing newline.
 */
export function formatDiagnostic(d: Diagnostic, sourceText?: string, options: FormatOptions = {}): string {
  const paint = (style: string, text: string): string => (options.color ? `${style}${text}${ANSI.reset}` : text);
  const severityStyle = severityColour(d.severity);
  const lines: string[] = [];
  const target = d.target ? ` (${printable(d.target)})` : '';
  const message = shorten(printable(d.message), MAX_MESSAGE);
  lines.push(
    `${paint(ANSI.bold + severityStyle, `${d.severity}[${printable(d.code)}]`)}${paint(ANSI.bold, `: ${message}${target}`)}`,
  );

  const start = d.span?.start;
  const sourceLine = start && sourceText !== undefined ? lineAt(sourceText, start.line) : undefined;
  const width = start ? String(start.line).length : 1;
  const pad = ' '.repeat(width);
  const gutter = (text: string): string => paint(ANSI.bold + ANSI.blue, text);

  if (d.file !== undefined || start) {
    const where = [printable(d.file ?? '<input>'), ...(start ? [start.line, start.col] : [])].join(':');
    lines.push(`${' '.repeat(Math.max(1, width - 1))}${gutter('-->')} ${where}`);
  }
  const notes = (d.notes ?? []).map(printable);
  if (start && sourceLine !== undefined) {
    const end = d.span!.end;
    // A span running past its first line is underlined to the end of that line.
    const endCol = end.line === start.line ? end.col : sourceLine.length + 1;
    const shown = frameWindow(sourceLine, start.col, Math.max(start.col + 1, endCol));
    // Control characters are shown escaped (several columns each); carets and indent measure the shown text.
    const spanned = shown.text.slice(shown.startCol - 1, Math.max(shown.startCol - 1, shown.endCol - 1));
    const carets = Math.max(1, shown.endCol - shown.startCol + printable(spanned).length - spanned.length);
    // Keep tabs of the source line so the carets line up in any tab width.
    const indent = printable(shown.text.slice(0, shown.startCol - 1)).replace(/[^\t]/g, ' ');
    const label = d.label ? ` ${printable(d.label)}` : '';
    lines.push(`${pad} ${gutter('|')}`);
    lines.push(`${gutter(`${start.line} |`)} ${printable(shown.text)}`.trimEnd());
    lines.push(`${pad} ${gutter('|')} ${indent}${paint(ANSI.bold + severityStyle, '^'.repeat(carets) + label)}`);
  } else if (d.label) {
    notes.unshift(printable(d.label));
  }
  for (const note of notes) lines.push(`${pad} ${gutter('=')} ${paint(ANSI.bold, 'note')}: ${note}`);
  return lines.join('\n');
}

function severityColour(severity: Severity): string {
  return severity === 'error' ? ANSI.red : severity === 'warning' ? ANSI.yellow : ANSI.cyan;
}

/**
 * Longest message shown whole in text: a message quoting a rule's value (a 1,000-character string) is cut in the
 * middle, keeping its start and end. JSON and SARIF keep the whole message.
 */
const MAX_MESSAGE = 240;

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.floor(max / 4);
  return `${text.slice(0, max - tail - 1)}…${text.slice(text.length - tail)}`;
}

/** Characters of context kept on each side of the underlined part of a long line. */
export const FRAME_CONTEXT = 60;
/** Lines up to this long are shown whole; longer ones (minified JSON, a base64 blob) only around the caret. */
const FRAME_MAX = 2 * FRAME_CONTEXT + 40;
const ELLIPSIS = '…';

/**
 * The part of `line` a code frame shows, with the underlined columns (1-based, end exclusive) moved into it: the
 * whole line when it is short, else a window of `FRAME_CONTEXT` characters around the underline (itself cut to
 * `FRAME_CONTEXT` characters), marked with `…` where the line goes on, so a 1,000-character line never floods a
 * terminal or a CI log.
 */
export function frameWindow(
  line: string,
  startCol: number,
  endCol: number,
): { text: string; startCol: number; endCol: number } {
  if (line.length <= FRAME_MAX) return { text: line, startCol, endCol };
  const first = Math.min(Math.max(0, startCol - 1), line.length);
  const last = Math.min(Math.max(first + 1, endCol - 1), first + FRAME_CONTEXT, line.length + 1);
  const from = Math.max(0, first - FRAME_CONTEXT);
  const to = Math.min(line.length, last + FRAME_CONTEXT);
  const head = from > 0 ? ELLIPSIS : '';
  const tail = to < line.length ? ELLIPSIS : '';
  return {
    text: `${head}${line.slice(from, to)}${tail}`,
    startCol: first - from + head.length + 1,
    endCol: last - from + head.length + 1,
  };
}

/** The 1-based `line` of `text` without its line break, or undefined past the end. */
function lineAt(text: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

export interface DiagnosticJson {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** The code's one-line summary from the catalogue, when it is registered. */
  readonly summary?: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly endLine?: number;
  readonly endCol?: number;
  readonly offset?: number;
  readonly endOffset?: number;
  readonly label?: string;
  readonly notes?: readonly string[];
  readonly target?: string;
  /** How many identical diagnostics this one stands for, when more than one. */
  readonly count?: number;
}

/** A flat, stable JSON shape: positions as numbers at the top level, absent fields left out. */
export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  const summary = codeInfo(d.code)?.summary;
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(summary !== undefined ? { summary } : {}),
    ...(d.file !== undefined ? { file: d.file } : {}),
    ...(d.span
      ? {
          line: d.span.start.line,
          col: d.span.start.col,
          endLine: d.span.end.line,
          endCol: d.span.end.col,
          offset: d.span.start.offset,
          endOffset: d.span.end.offset,
        }
      : {}),
    ...(d.label !== undefined ? { label: d.label } : {}),
    ...(d.notes !== undefined && d.notes.length > 0 ? { notes: [...d.notes] } : {}),
    ...(d.target !== undefined ? { target: d.target } : {}),
    ...(d.count !== undefined && d.count > 1 ? { count: d.count } : {}),
  };
}
