/**
 * Splits a stream of JSON text into events without holding more than one value in memory.
 *
 * Accepted shapes: NDJSON (one value per line, the fast path: split on `\n`, `JSON.parse` each line), and possibly
 * pretty-printed JSON values (one document, several documents back to back as evtx_dump writes them, or a
 * top-level array whose elements are the events). A line that does not parse but opens a value that goes on past
 * its end starts a multi-line value: a small scanner tracks strings, escapes and nesting depth to find where it
 * ends, and reading goes back to lines after it.
 *
 * A hostile or damaged stream must not cost the rest of it, nor unbounded time or memory:
 * - text is kept as the pieces it arrived in and joined once per value, so a long line or value costs linear time
 *   (appending each chunk to one string and rescanning it was quadratic: 106 s for 64 MiB);
 * - a value that is still open when a line starts with `{` in column 1 is cut off (pretty-printers indent nested
 *   values, NDJSON starts every value there): it is reported (RC980) and reading resumes with the new value;
 * - a raw line break inside a string (JSON forbids it) ends the broken value at that line;
 * - a value or line longer than `maxValueLength` is reported (RC959) and skipped without being kept.
 */

/**
 * Receives each event (a JSON object) with the 1-based line its text starts on and the JSON text it was parsed from
 * (for an item of an array, the whole array's text).
 */
export type EventSink = (event: Record<string, unknown>, line: number, text: string) => void;
/** Receives each problem with the 1-based line it concerns and its code; reading goes on after it. */
export type ErrorSink = (line: number, message: string, code: SplitterCode) => void;

/** RC951 malformed value, RC959 value over the size limit, RC980 value cut off (src/match/codes.ts). */
export type SplitterCode = 'RC951' | 'RC959' | 'RC980';

export interface SplitterOptions {
  /** Longest value (or NDJSON line) read, in UTF-16 code units; longer ones are skipped. */
  readonly maxValueLength?: number;
  /**
   * Resume at a line start inside a stream, in the state a splitter is in there when it is `clean`: the 1-based
   * line number of the first character pushed (the stream's start is already behind, so no BOM or `[` detection).
   * Used by `rulec match --jobs` to split blocks of whole lines on several threads.
   */
  readonly resumeAtLine?: number;
}

/**
 * 256 Mi code units: well above any real event (the largest evtx records are a few MB), below V8's string length
 * limit (2^29 - 24), and what one value may cost in memory before it is parsed.
 */
export const DEFAULT_MAX_VALUE_LENGTH = 256 * 1024 * 1024;

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
  private sawBom = false;
  private readonly max: number;
  /** Line number of the next character pushed (every mode keeps it current). */
  private line = 1;

  // Mode 'lines': the start of a line whose end has not arrived yet, as received.
  private pending: string[] = [];
  private pendingLength = 0;
  /** The current line went over the limit: drop it up to its end. */
  private skippingLine = false;

  // Mode 'scan', kept across chunks so a value split over chunks is never rescanned.
  /** Open containers, including a top-level array being split into events. */
  private depth = 0;
  /** 1 inside a top-level array (its elements are the events), else 0. */
  private base = 0;
  private inString = false;
  private escaped = false;
  /** Whether a value is being read. */
  private open = false;
  /** Text of the open value from earlier chunks. */
  private parts: string[] = [];
  private partsLength = 0;
  /** The open value went over the limit: its structure is followed, its text not kept. */
  private skipping = false;
  private startLine = 0;
  /** The previous character was a line break. */
  private lineStart = true;

  constructor(
    private readonly onEvent: EventSink,
    private readonly onError: ErrorSink,
    options: SplitterOptions = {},
  ) {
    this.max = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
    if (options.resumeAtLine !== undefined) {
      this.line = options.resumeAtLine;
      this.mode = 'lines';
      this.sawBom = true;
    }
  }

  /**
   * Whether the splitter is between values at a line start with nothing kept: its whole state is then its line
   * number, so a new splitter made with `resumeAtLine` carries on exactly as this one would. Only meaningful right
   * after a push that ended with a line break.
   */
  get clean(): boolean {
    return this.mode === 'lines' && this.pending.length === 0 && !this.skippingLine;
  }

  /** The line number of the next character to be pushed (for messages about the raw input). */
  get nextLine(): number {
    return this.line;
  }

  push(text: string): void {
    if (!this.sawBom) {
      if (text.length === 0) return;
      this.sawBom = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let i = 0;
    while (i < text.length) {
      if (this.mode === 'detect') i = this.detect(text, i);
      else if (this.mode === 'lines') i = this.lines(text, i);
      else i = this.scan(text, i);
    }
  }

  end(): void {
    if (this.mode === 'lines' && this.pending.length > 0) {
      const text = this.takePending('');
      if (!this.skippingLine && this.handleLine(stripCr(text), this.line) === 'scan') this.enterScan(text);
      this.skippingLine = false;
    }
    if (this.mode !== 'scan') return;
    if (this.open && !this.inString && this.depth === this.base) {
      // A bare scalar at the very end has no delimiter after it.
      this.finishValue('', 0, 0);
    } else if (this.open || this.depth > 0) {
      if (!this.skipping) {
        this.onError(this.open ? this.startLine : this.line, 'unexpected end of input inside a JSON value', 'RC980');
      }
    }
    this.parts = [];
    this.partsLength = 0;
    this.open = false;
    this.depth = 0;
    this.base = 0;
    this.inString = false;
    this.mode = 'lines';
  }

  /** Skips leading blank space; a stream that starts with `[` is an array whose elements are streamed. */
  private detect(text: string, i: number): number {
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) this.line++;
      else if (!isSpace(c)) {
        this.mode = c === OPEN_BRACKET ? 'scan' : 'lines';
        return i;
      }
    }
    return i;
  }

  private lines(text: string, i: number): number {
    for (;;) {
      const eol = text.indexOf('\n', i);
      if (eol < 0) {
        this.keepPending(text, i);
        return text.length;
      }
      const line = this.line;
      if (this.skippingLine) {
        this.skippingLine = false;
        this.pending = [];
        this.pendingLength = 0;
      } else {
        const raw = this.pending.length > 0 ? this.takePending(text.slice(i, eol)) : text.slice(i, eol);
        if (raw.length > this.max) {
          this.tooLong(line);
        } else if (this.handleLine(stripCr(raw), line) === 'scan') {
          this.enterScan(`${raw}\n`);
          return eol + 1;
        }
      }
      this.line = line + 1;
      i = eol + 1;
    }
  }

  private keepPending(text: string, from: number): void {
    if (this.skippingLine || from >= text.length) return;
    this.pendingLength += text.length - from;
    if (this.pendingLength > this.max) {
      this.tooLong(this.line);
      this.pending = [];
      this.pendingLength = 0;
      this.skippingLine = true;
      return;
    }
    this.pending.push(from === 0 ? text : text.slice(from));
  }

  private takePending(tail: string): string {
    this.pending.push(tail);
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    return text;
  }

  private tooLong(line: number): void {
    this.onError(line, `JSON value longer than ${this.max} characters (skipped)`, 'RC959');
  }

  /** 'scan' when the line opens a value that goes on past its end (a pretty-printed document). */
  private handleLine(text: string, line: number): 'done' | 'scan' {
    // A line that opens an object or array but does not end one cannot parse: skip the thrown SyntaxError (a few
    // microseconds each, paid by every document of pretty-printed input, whose first line is a lone `{`).
    if (cannotClose(text) && opensValue(text)) return 'scan';
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (opensValue(text)) return 'scan';
      if (text.trim() === '') return 'done';
      this.onError(line, `malformed JSON: ${errorMessage(error)}`, 'RC951');
      return 'done';
    }
    this.deliver(value, line, text);
    return 'done';
  }

  /** Scans `text` (a whole line with its line break) from a fresh state; the scanner returns to lines after it. */
  private enterScan(text: string): void {
    this.mode = 'scan';
    this.depth = 0;
    this.base = 0;
    this.open = false;
    this.inString = false;
    this.escaped = false;
    this.skipping = false;
    this.lineStart = true;
    let i = 0;
    // The scanner may finish the value and go back to lines before the end of `text` only at a line break, and
    // `text` holds one, at its end.
    while (i < text.length) i = this.mode === 'scan' ? this.scan(text, i) : this.lines(text, i);
  }

  private deliver(value: unknown, line: number, text: string): void {
    if (typeof value === 'object' && value !== null) {
      if (!Array.isArray(value)) {
        this.onEvent(value as Record<string, unknown>, line, text);
        return;
      }
      // An array on one line is a list of events, as a top-level array is.
      for (const item of value) this.deliver(item, line, text);
      return;
    }
    this.onError(line, `expected a JSON object, found ${value === null ? 'null' : typeof value}`, 'RC951');
  }

  /** Ends the open value with `text[from, to)`: parses and delivers it, unless it was over the limit. */
  private finishValue(text: string, from: number, to: number): void {
    this.open = false;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.partsLength + (to - from) > this.max) {
      // Checked here too, so the limit does not depend on how the input was cut into chunks.
      this.tooLong(this.startLine);
      this.parts = [];
      this.partsLength = 0;
      return;
    }
    let whole = text.slice(from, to);
    if (this.parts.length > 0) {
      this.parts.push(whole);
      whole = this.parts.join('');
      this.parts = [];
      this.partsLength = 0;
    }
    let value: unknown;
    try {
      value = JSON.parse(whole);
    } catch (error) {
      this.onError(this.startLine, `malformed JSON: ${errorMessage(error)}`, 'RC951');
      return;
    }
    this.deliver(value, this.startLine, whole);
  }

  /** Drops the open value (broken or cut off). */
  private dropValue(): void {
    this.open = false;
    this.parts = [];
    this.partsLength = 0;
    this.skipping = false;
    this.inString = false;
    this.escaped = false;
    this.depth = this.base;
  }

  /** Scans from `i`; returns where it stopped: the end of `text`, or just after the line break where it went back to lines. */
  private scan(text: string, i: number): number {
    const n = text.length;
    let line = this.line;
    let { depth, inString, escaped, lineStart } = this;
    /** Where the open value's text starts in `text` (0 when it began in an earlier chunk). */
    let segment = this.open ? i : -1;
    const save = (): void => {
      this.line = line;
      this.depth = depth;
      this.inString = inString;
      this.escaped = escaped;
      this.lineStart = lineStart;
    };
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) {
        line++;
        lineStart = true;
        if (inString) {
          // JSON strings cannot hold a raw line break: the value is broken; drop it here rather than read on.
          if (!this.skipping) this.onError(this.startLine, 'malformed JSON: unterminated string', 'RC951');
          this.dropValue();
          depth = this.base;
          inString = false;
          escaped = false;
          segment = -1;
        } else if (this.open && depth === this.base) {
          // A bare scalar ends at the line break.
          this.finishValue(text, segment, i);
          segment = -1;
        }
        if (!this.open && depth === 0) {
          // Between top-level values at a line start: back to the fast line splitter.
          save();
          this.mode = 'lines';
          return i + 1;
        }
        continue;
      }
      const atLineStart = lineStart;
      lineStart = false;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (this.open && depth === this.base) {
            // A string scalar ends with its closing quote.
            this.finishValue(text, segment, i + 1);
            segment = -1;
          }
        }
        continue;
      }
      if (atLineStart && c === OPEN_BRACE && this.open && depth > this.base) {
        // A value still open when a line starts with `{`: it was cut off, and this line starts the next one.
        if (!this.skipping) {
          this.onError(
            this.startLine,
            `malformed JSON: the value is cut off before line ${line} (reading resumes there)`,
            'RC980',
          );
        }
        this.dropValue();
        this.open = true;
        this.startLine = line;
        segment = i;
        depth = this.base + 1;
        continue;
      }
      if (!this.open) {
        // Between values.
        if (isSpace(c)) continue;
        if (this.base === 1 && c === COMMA) continue;
        if (this.base === 1 && c === CLOSE_BRACKET && depth === 1) {
          depth = 0;
          this.base = 0;
          continue;
        }
        if (this.base === 0 && c === OPEN_BRACKET) {
          // A top-level array: its elements are the events.
          depth = 1;
          this.base = 1;
          continue;
        }
        if (c === CLOSE_BRACE || c === CLOSE_BRACKET || c === COMMA) {
          this.onError(line, `unexpected '${String.fromCharCode(c)}' between JSON values`, 'RC951');
          continue;
        }
        this.open = true;
        this.startLine = line;
        segment = i;
        if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === QUOTE) inString = true;
        continue;
      }
      if (depth === this.base) {
        // Inside a bare scalar (number, true, false, null, or garbage): it ends at a delimiter, which is then
        // read again as a character between values.
        if (isSpace(c) || c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE) {
          this.finishValue(text, segment, i);
          segment = -1;
          i--;
        }
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === this.base) {
          this.finishValue(text, segment, i + 1);
          segment = -1;
        }
      }
    }
    if (this.open && !this.skipping) {
      // Keep the unfinished value's text; over the limit, only its structure is followed from now on.
      this.partsLength += n - segment;
      if (this.partsLength > this.max) {
        this.tooLong(this.startLine);
        this.parts = [];
        this.partsLength = 0;
        this.skipping = true;
      } else {
        this.parts.push(segment === 0 ? text : text.slice(segment));
      }
    }
    save();
    return n;
  }
}

function stripCr(text: string): string {
  return text.length > 0 && text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text;
}

/** Whether the line starts with `{` or `[` and does not end with `}` or `]` (ignoring blank space). */
function cannotClose(text: string): boolean {
  let last = text.length - 1;
  while (last >= 0 && isSpace(text.charCodeAt(last))) last--;
  if (last < 0) return false;
  const end = text.charCodeAt(last);
  if (end === CLOSE_BRACE || end === CLOSE_BRACKET) return false;
  let first = 0;
  while (isSpace(text.charCodeAt(first))) first++;
  const start = text.charCodeAt(first);
  return start === OPEN_BRACE || start === OPEN_BRACKET;
}

/** Whether a line that does not parse starts a value that is still open at its end (not a broken one-line value). */
function opensValue(text: string): boolean {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  const first = text.charCodeAt(i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return false;
  // An object's first member starts with its key: `{oops` is a broken line, not the start of a document.
  let next = i + 1;
  while (next < text.length && isSpace(text.charCodeAt(next))) next++;
  if (first === OPEN_BRACE && next < text.length && text.charCodeAt(next) !== QUOTE) return false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return false;
    }
  }
  return !inString && depth > 0;
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
