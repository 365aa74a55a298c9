/** Collects the diagnostics of one detection, each located through the `Locator`. */
import type { CodeInfo } from '../diagnostics/codes.js';
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import type { DocPath, Locator } from '../source/locator.js';

export interface ReportExtras {
  readonly label?: string;
  readonly notes?: readonly string[];
}

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  errorCount = 0;

  constructor(readonly locator: Locator) {}

  report(code: CodeInfo, message: string, span: Span | undefined, extras: ReportExtras = {}): void {
    if (code.severity === 'error') this.errorCount++;
    const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
      code: code.code,
      severity: code.severity,
      message,
      file: this.locator.file,
    };
    if (span !== undefined) d.span = span;
    if (extras.label !== undefined) d.label = extras.label;
    if (extras.notes !== undefined && extras.notes.length > 0) d.notes = extras.notes;
    this.diagnostics.push(d);
  }

  /** Reports at the node (value) at `path`. */
  at(code: CodeInfo, message: string, path: DocPath, extras?: ReportExtras): void {
    this.report(code, message, this.locator.span(path), extras);
  }

  /** Reports at the map key of the last segment of `path`. */
  atKey(code: CodeInfo, message: string, path: DocPath, extras?: ReportExtras): void {
    this.report(code, message, this.locator.span(path, 'key'), extras);
  }

  /**
   * Reports at characters `from`–`to` of the map key at `path` (a modifier inside `Field|contians`). The key's
   * text is known but not its source form: when the key's span is exactly as long as the key (plain) or two longer
   * (quoted without escapes), offsets map 1:1; otherwise the whole key is used.
   */
  atKeyPart(code: CodeInfo, message: string, path: DocPath, from: number, to: number, extras?: ReportExtras): void {
    const key = path[path.length - 1];
    const span = this.locator.span(path, 'key');
    if (span === undefined || typeof key !== 'string') return this.report(code, message, span, extras);
    const width = span.end.offset - span.start.offset;
    const shift = width === key.length ? 0 : width === key.length + 2 ? 1 : -1;
    if (shift < 0) return this.report(code, message, span, extras);
    const start = span.start.offset + shift;
    this.report(code, message, this.locator.spanAt(start + from, start + to), extras);
  }
}
