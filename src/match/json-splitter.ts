/**
 * Splits a stream of JSON text into events without holding more than one value in memory.
 *
 * Accepted shapes, detected from the start of the stream: NDJSON (one value per line, the fast path: split on
 * `\n`, `JSON.parse` each line), and a sequence of possibly pretty-printed JSON values (one document, several
 * documents back to back as evtx_dump writes them, or a top-level array whose elements are the events). In the
 * second shape a small scanner tracks strings, escapes and nesting depth to find where each value ends.
 */

/** Receives each event (a JSON object) with the 1-based line its text starts on. */
export type EventSink = (event: Record<string, unknown>, line: number) => void;
/** Receives each problem with the 1-based line it concerns; reading goes on after it. */
export type ErrorSink = (line: number, message: string) => void;

type Mode = 'detect' | 'lines' | 'scan';

const NEWLINE = 10;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isSpace(c: number): boolean {
  return c === 32 || c === NEWLINE || c === CR || c === 9;
}

export class JsonSplitter {
  private mode: Mode = 'detect';
  /** Text received but not yet consumed. */
  private buf = '';
  /** Line number of `buf`'s first character. */
  private line = 1;
  private sawBom = false;

  // Scanner state (mode 'scan'), kept across chunks so a value split over chunks is not rescanned.
  /** Index in `buf` where scanning resumes. */
  private pos = 0;
  /** Open containers, including a top-level array being split into events. */
  private depth = 0;
  /** 1 inside a top-level array (its elements are the events), else 0. */
  private base = 0;
  private inString = false;
  private escaped = false;
  /** Start index in `buf` of the value being read, or -1 between values. */
  private start = -1;
  private startLine = 0;
  /** Line number at `pos` (scan mode counts lines as it goes). */
  private scanLine = 1;

  constructor(
    private readonly onEvent: EventSink,
    private readonly onError: ErrorSink,
  ) {}

  push(text: string): void {
    if (!this.sawBom) {
      if (text.length === 0) return;
      this.sawBom = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    if (this.mode === 'detect') this.detect(false);
    if (this.mode === 'lines') this.splitLines();
    else if (this.mode === 'scan') this.scan();
  }

  end(): void {
    if (this.mode === 'detect') this.detect(true);
    if (this.mode === 'lines') this.splitLines();
    if (this.mode === 'lines') {
      if (this.buf.length > 0 && !this.parseLine(this.buf, this.line)) this.switchToScan(this.buf, this.line);
      else this.buf = '';
    }
    if (this.mode === 'scan') {
      this.scan();
      // A bare scalar at the very end has no delimiter after it.
      if (this.start >= 0 && !this.inString && this.depth === this.base) this.emitValue(this.buf.slice(this.start));
      else if (this.start >= 0 || this.depth > 0) {
        this.onError(this.start >= 0 ? this.startLine : this.scanLine, 'unexpected end of input inside a JSON value');
      }
      this.buf = '';
    }
  }

  /** Chooses the mode once the first line is complete (or the input ended). */
  private detect(atEnd: boolean): void {
    let i = 0;
    while (i < this.buf.length && isSpace(this.buf.charCodeAt(i))) i++;
    if (i === this.buf.length) return;
    const first = this.buf.charCodeAt(i);
    if (first === OPEN_BRACKET) {
      this.mode = 'scan';
      return;
    }
    const eol = this.buf.indexOf('\n', i);
    if (eol < 0 && !atEnd) return;
    const firstLine = this.buf.slice(i, eol < 0 ? this.buf.length : eol);
    let parses = true;
    try {
      JSON.parse(firstLine);
    } catch {
      parses = false;
    }
    // A first line that is not a whole value but opens an object is the start of a pretty-printed document.
    this.mode = !parses && first === OPEN_BRACE ? 'scan' : 'lines';
  }

  private splitLines(): void {
    const buf = this.buf;
    let from = 0;
    let line = this.line;
    for (;;) {
      const eol = buf.indexOf('\n', from);
      if (eol < 0) break;
      const end = eol > from && buf.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
      if (end > from && !this.parseLine(buf.slice(from, end), line)) {
        this.switchToScan(buf.slice(from), line);
        return;
      }
      from = eol + 1;
      line++;
    }
    this.buf = from === 0 ? buf : buf.slice(from);
    this.line = line;
  }

  /**
   * Parses one line; false when the line opens a pretty-printed value instead (a lone `{` or `[`, as after a
   * first document short enough to fit one line), so the caller switches to scanning from there.
   */
  private parseLine(text: string, line: number): boolean {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const trimmed = text.trim();
      if (trimmed === '') return true;
      if (trimmed === '{' || trimmed === '[') return false;
      this.onError(line, `malformed JSON: ${errorMessage(error)}`);
      return true;
    }
    this.deliver(value, line);
    return true;
  }

  private switchToScan(rest: string, line: number): void {
    this.mode = 'scan';
    this.buf = rest;
    this.pos = 0;
    this.scanLine = line;
    this.scan();
  }

  private deliver(value: unknown, line: number): void {
    if (typeof value === 'object' && value !== null) {
      if (!Array.isArray(value)) {
        this.onEvent(value as Record<string, unknown>, line);
        return;
      }
      // An array on one line is a list of events, as a top-level array is.
      for (const item of value) this.deliver(item, line);
      return;
    }
    this.onError(line, `expected a JSON object, found ${value === null ? 'null' : typeof value}`);
  }

  private emitValue(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.onError(this.startLine, `malformed JSON: ${errorMessage(error)}`);
      return;
    }
    this.deliver(value, this.startLine);
  }

  private scan(): void {
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    let line = this.scanLine;
    let { depth, base, inString, escaped, start } = this;
    for (; i < n; i++) {
      const c = buf.charCodeAt(i);
      if (c === NEWLINE) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (start >= 0 && depth === base) {
            // A string scalar ends with its closing quote.
            this.emitValue(buf.slice(start, i + 1));
            start = -1;
          }
        }
        continue;
      }
      if (start < 0) {
        // Between values.
        if (isSpace(c)) continue;
        if (base === 1 && c === COMMA) continue;
        if (base === 1 && c === CLOSE_BRACKET && depth === 1) {
          depth = 0;
          base = 0;
          continue;
        }
        if (base === 0 && c === OPEN_BRACKET) {
          // A top-level array: its elements are the events.
          depth = 1;
          base = 1;
          continue;
        }
        start = i;
        this.startLine = line;
        if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === QUOTE) inString = true;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET || c === COMMA) {
          this.onError(line, `unexpected '${String.fromCharCode(c)}' between JSON values`);
          start = -1;
        }
        continue;
      }
      if (depth === base) {
        // Inside a bare scalar (number, true, false, null, or garbage): it ends at a delimiter.
        if (isSpace(c) || c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE) {
          this.emitValue(buf.slice(start, i));
          start = -1;
          if (c === NEWLINE) line--;
          i--;
        }
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === base) {
          this.emitValue(buf.slice(start, i + 1));
          start = -1;
        }
      }
    }
    // Keep only the unfinished value, so memory holds at most one value plus one chunk.
    if (start >= 0) {
      this.buf = buf.slice(start);
      this.pos = n - start;
      start = 0;
    } else {
      this.buf = '';
      this.pos = 0;
    }
    this.scanLine = line;
    this.depth = depth;
    this.base = base;
    this.inString = inString;
    this.escaped = escaped;
    this.start = start;
  }
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 160 ? `${message.slice(0, 157)}...` : message;
}

/** Splits a whole text at once (rule test files, small inputs). */
export function splitJsonText(text: string, onEvent: EventSink, onError: ErrorSink): void {
  const splitter = new JsonSplitter(onEvent, onError);
  splitter.push(text);
  splitter.end();
}
