/**
 * Matches a block of input text (whole lines) and returns everything `rulec match` prints for it, in input order:
 * the output lines, the rules hit, the diagnostics and the router's counters. The same code runs in the worker
 * threads of `rulec match --jobs N` (one fresh splitter per block) and on the main thread when a block must be
 * read in sequence with the previous one (a multi-line JSON value across blocks), so both give the same bytes.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Rule } from '../model/rule.js';
import type { EventFormat, FormatOptions } from './formats.js';
import { makeNormalizer, makeRouteView } from './formats.js';
import { JsonSplitter } from './json-splitter.js';
import { lineSpan } from './read-events.js';
import type { EngineRule, RouterMark, RouterOptions } from './router.js';
import { MAX_EVENT_DEPTH, RuleRouter } from './router.js';
import { eventJson } from './serialize.js';

/** What a block matcher needs besides the rules and their predicate factory; plain data (sent to workers). */
export interface BlockSetup {
  readonly format: EventFormat;
  readonly formatOptions: FormatOptions;
  readonly routerOptions: RouterOptions;
  /** Print `{file, line}` of each matching event instead of the event. */
  readonly pointer: boolean;
  readonly maxValueLength?: number;
}

/** One block of input: text that starts at a line start (and ends with a line break unless `end`). */
export interface Block {
  readonly file: string;
  readonly text: string;
  /**
   * The start of the block's first line that came in an earlier chunk (no line break), sent apart from `text`:
   * joining them made a cons string that the main thread then walked to count or send it.
   */
  readonly head?: string;
  /**
   * The block as UTF-8 bytes instead of `text` (which is then empty): whole lines, checked valid, so decoding them
   * alone gives the text one decoder over the stream gives. The reading thread sends them (shared, not copied)
   * and the worker decodes them, which spares the reading thread decoding and copying a string.
   */
  readonly bytes?: Uint8Array;
  /** The 1-based line of the block's first character. */
  readonly firstLine: number;
  /** The block starts the input (a splitter made for it starts from scratch: BOM, `[` detection). */
  readonly first: boolean;
  /** The block ends the input (the splitter is ended after it). */
  readonly end: boolean;
}

export interface BlockResult {
  /** The NDJSON lines of the block's matches. */
  readonly output: string;
  /**
   * The same lines as UTF-8 bytes, from a worker (`output` is then empty): handed over rather than copied, and
   * written as they are, so the main thread neither receives a string nor encodes it again.
   */
  readonly bytes?: Uint8Array;
  /** Lines in `output`. */
  readonly lines: number;
  /** Index of the rule of each match, in output order (per-rule counts). */
  readonly hits: number[];
  readonly events: number;
  /** Problems of the block, in the order the single-threaded reader reports them. */
  readonly diagnostics: Diagnostic[];
  /** The splitter ended the block between values at a line start (the next block may start from scratch). */
  readonly clean: boolean;
  /** Router counters added by this block (events routed, predicates evaluated). */
  readonly routed: number;
  readonly evaluated: number;
  /** Rules found unusable while matching this block, by index, with the reason. */
  readonly skipped: [number, string][];
  /** Predicate errors of this block, by rule index: how many, and the first message seen by this matcher. */
  readonly errors: [number, number, string][];
}

/** A block matcher's findings at one moment (`BlockMatcher.mark`). */
export interface MatcherMark {
  readonly router: RouterMark;
  readonly skippedSeen: number;
  readonly errorsSeen: ReadonlyMap<number, number>;
}

/** The rule part of each output line, serialised once. `author` is kept for attribution (DRL 1.1). */
export function ruleHeader(rule: Rule): string {
  return JSON.stringify({ id: rule.id, title: rule.title, level: rule.level, author: rule.author });
}

export class BlockMatcher {
  readonly router: RuleRouter;
  private readonly headers: (string | undefined)[];
  private readonly normalize: (r: Record<string, unknown>) => Record<string, unknown>;
  private readonly view: (r: Record<string, unknown>) => Record<string, unknown> | undefined;
  private readonly indexOf = new Map<Rule, number>();
  private skippedSeen = 0;
  private readonly errorsSeen = new Map<number, number>();
  // Per block, filled by the splitter's callbacks: each event is matched as soon as it is parsed, so that it is
  // garbage by the next one. Collecting a block's ~1,000 events first and matching them after kept them all alive
  // through the young-generation collections of the block: 20-40 % of a worker's time went to scavenges copying
  // them (--trace-gc, --jobs 2 over 100,000 events: 12-24 ms per scavenge, one per 17 MB allocated).
  private events = 0;
  private hits: number[] = [];
  private output = '';
  private diagnostics: Diagnostic[] = [];
  /** RC982 of the block's events, printed after the splitter's problems of the block (as one thread prints them). */
  private refused: Diagnostic[] = [];
  private file = '';
  /** `file` as JSON, for pointers. */
  private fileJson = '""';

  constructor(
    rules: readonly EngineRule[],
    private readonly setup: BlockSetup,
  ) {
    this.router = new RuleRouter(rules, setup.routerOptions);
    this.headers = new Array<string | undefined>(rules.length);
    rules.forEach((r, i) => this.indexOf.set(r.rule, i));
    this.normalize = makeNormalizer(setup.format, setup.formatOptions);
    this.view = makeRouteView(setup.format, setup.formatOptions);
  }

  /** A splitter for `block`'s input from the block's start: from scratch for the first block, else resumed. */
  splitter(block: Block): JsonSplitter {
    this.file = block.file;
    return new JsonSplitter(
      (event, line, text) => this.match(event, line, text),
      (line, message, code) => {
        this.diagnostics.push({ code, severity: 'warning', message, file: this.file, span: lineSpan(line) });
      },
      {
        ...(this.setup.maxValueLength !== undefined ? { maxValueLength: this.setup.maxValueLength } : {}),
        ...(block.first ? {} : { resumeAtLine: block.firstLine }),
      },
    );
  }

  /** What `rewind` returns to: the findings reported so far (unusable rules, predicate errors). */
  mark(): MatcherMark {
    return { router: this.router.mark(), skippedSeen: this.skippedSeen, errorsSeen: new Map(this.errorsSeen) };
  }

  /** Forgets the findings of the blocks run since `mark`, whose results were dropped: they are found again. */
  rewind(mark: MatcherMark): void {
    this.router.rewind(mark.router);
    this.skippedSeen = mark.skippedSeen;
    this.errorsSeen.clear();
    for (const [i, n] of mark.errorsSeen) this.errorsSeen.set(i, n);
  }

  /** Splits `block` with `splitter` (fresh or carried over from the previous block) and matches its events. */
  run(block: Block, splitter: JsonSplitter): BlockResult {
    this.file = block.file;
    this.fileJson = JSON.stringify(block.file);
    const router = this.router;
    const routedBefore = router.events;
    const evaluatedBefore = router.evaluated;
    if (block.head !== undefined) splitter.push(block.head);
    splitter.push(block.bytes !== undefined ? blockText(block.bytes) : block.text);
    if (block.end) splitter.end();
    const hits = this.hits;
    const output = this.output;
    const events = this.events;
    const diagnostics = this.refused.length > 0 ? [...this.diagnostics, ...this.refused] : this.diagnostics;
    this.events = 0;
    this.hits = [];
    this.output = '';
    this.diagnostics = [];
    this.refused = [];
    const skipped: [number, string][] = [];
    for (; this.skippedSeen < router.skipped.length; this.skippedSeen++) {
      const s = router.skipped[this.skippedSeen]!;
      skipped.push([this.indexOf.get(s.rule)!, s.reason]);
    }
    const errors: [number, number, string][] = [];
    for (const [i, e] of router.errors) {
      const seen = this.errorsSeen.get(i) ?? 0;
      if (e.count === seen) continue;
      errors.push([i, e.count - seen, e.first]);
      this.errorsSeen.set(i, e.count);
    }
    return {
      output,
      lines: hits.length,
      hits,
      events,
      diagnostics,
      clean: splitter.clean,
      routed: router.events - routedBefore,
      evaluated: router.evaluated - evaluatedBefore,
      skipped,
      errors,
    };
  }

  /** Matches one event of the block as the splitter gives it. */
  private match(event: Record<string, unknown>, line: number, text: string): void {
    this.events++;
    const router = this.router;
    const matched = router.matchRecord(event, this.normalize, this.view, text);
    if (router.refused) {
      this.refused.push({
        code: 'RC982',
        severity: 'warning',
        message: `event nested deeper than ${MAX_EVENT_DEPTH} levels exhausts the rules' stack (skipped)`,
        file: this.file,
        span: lineSpan(line),
      });
    }
    if (matched.length === 0) return;
    // Byte for byte what the single-threaded loop writes (JSON.stringify of `{file, line}` for a pointer).
    const where = this.setup.pointer
      ? `"source":{"file":${this.fileJson},"line":${line}}`
      : `"event":${eventJson(event)}`;
    for (let k = 0; k < matched.length; k++) {
      const i = matched[k]!;
      this.hits.push(i);
      this.output += `{"rule":${this.header(i)},${where}}\n`;
    }
  }

  private header(i: number): string {
    return (this.headers[i] ??= ruleHeader(this.router.rules[i]!.rule));
  }
}

/** The text of a block's bytes (a view, whatever buffer they lie in: shared memory from another thread). */
function blockText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
