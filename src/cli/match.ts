/**
 * `rulec match --rules <paths…> [inputs…]`: runs rules on events and writes one NDJSON line per match, then a
 * summary on stderr. Exit 0 when everything was read, 1 when a rule file, an input or an event had a problem,
 * 2 on a usage error. The predicate maker is injected: src/ never names a target.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createWriteStream, openSync, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { CorrelationAlert } from '../correlation/correlator.js';
import { Correlator, eventTime, valueOf } from '../correlation/correlator.js';
import { applyFilters } from '../correlation/filters.js';
import { resolveReferences } from '../correlation/resolve.js';
import { loadFilterFolders } from '../build/meta.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { printable } from '../diagnostics/printable.js';
import type { EventFormat } from '../match/formats.js';
import { EVENT_FORMATS, isEventFormat, makeNormalizer, makeRouteView, normalizerTexts } from '../match/formats.js';
import { loadRulesCached } from '../match/rule-cache.js';
import { expandInputs, lineSpan, looksLikeEvents, readEventBatches, STDIN, STDIN_NAME } from '../match/read-events.js';
import type { BlockSetup } from '../match/block-matcher.js';
import { BlockMatcher, ruleHeader } from '../match/block-matcher.js';
import type { PredicateError } from '../match/router.js';
import { lazyRules, MAX_EVENT_DEPTH, RuleRouter } from '../match/router.js';
import { eventJson } from '../match/serialize.js';
import type { PredicateFactory } from '../match/types.js';
import type { Rule } from '../model/rule.js';
import type { Pipeline } from '../pipeline/types.js';
import type { CliIo } from './io.js';
import type { BlockSink } from './match-parallel.js';
import { automaticJobs, defaultJobs, MatchPool, matchParallel } from './match-parallel.js';
import type { SiteFactory } from './match-site.js';
import type { FactoryRecipe } from './match-worker.js';
import { parseFormat } from './report.js';
import type { SiteCliOptions } from './site-options.js';
import { addSiteOptions } from './site-options.js';
import { runTests } from './test-command.js';

export interface MatchOptions {
  /** Rule files or folders. */
  readonly rules: readonly string[];
  /** Event files or folders; `-` is stdin. None means stdin. */
  readonly inputs: readonly string[];
  /** Event format (docs/matching.md); `auto` by default. */
  readonly format?: string;
  /**
   * Formats whose events are read as they are by rules mapped through a target's pipeline (the registry's
   * `eventFormat`s, e.g. `ecs`); main.ts passes them, src/ names no target.
   */
  readonly mappedFormats?: readonly string[];
  /** Write matches to this file instead of stdout. */
  readonly output?: string;
  /** Print `{file, line}` of each matching event instead of the event. */
  readonly pointer?: boolean;
  /** For `--format ecs`: ECS field → rule field. */
  readonly ecsFieldMap?: Readonly<Record<string, string>>;
  /** Longest JSON value read from an input, in characters (json-splitter.ts). */
  readonly maxValueLength?: number;
  /** Logsource routing and witness indexing (on by default; off only to measure them). */
  readonly routing?: boolean;
  readonly indexing?: boolean;
  /** Field holding each event's time, for correlation rules (default: the first of `TIME_FIELDS` present). */
  readonly timeField?: string;
  /** `--filters` folders: filters applied to the rules, from outside the rule paths. */
  readonly filters?: readonly string[];
  /**
   * Threads matching events (`--jobs`; default: the cores available, or 1 for inputs under 64 MiB, see
   * match-parallel.ts `automaticJobs`). 1 matches on this thread.
   */
  readonly jobs?: number;
  /** How worker threads make the same predicates as `factory`; without it matching stays on this thread. */
  readonly workers?: FactoryRecipe;
  /** Reuse the rules read by an earlier run from the same files (default true; `--no-cache` turns it off). */
  readonly cache?: boolean;
}

export interface MatchIo extends CliIo {
  /** Replaces process.stdin (tests). */
  readonly stdin?: AsyncIterable<Buffer | string>;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/** Event-level warnings printed before the rest are only counted. */
const MAX_EVENT_WARNINGS = 20;
const FLUSH_AT = 1 << 16;
/** Exit status when the reader of the output went away (a shell's status for a process ended by SIGPIPE). */
export const EXIT_OUTPUT_CLOSED = 128 + 13;

export async function runMatch(options: MatchOptions, factory: PredicateFactory, io: MatchIo): Promise<number> {
  const format = options.format ?? 'auto';
  const mappedFormats = options.mappedFormats ?? [];
  if (!isEventFormat(format) && !mappedFormats.includes(format)) {
    const known = [...new Set([...EVENT_FORMATS, ...mappedFormats])];
    io.stderr(`error: unknown event format '${format}' (expected ${known.join(', ')})\n`);
    return 2;
  }
  const now = io.now ?? (() => performance.now());
  let failed = false;
  // Routing and the witness index read the rules' own field names; for events of a mapped format (ECS) the
  // predicates test the mapped names instead, so every rule is evaluated there.
  const mappedFormat = (format === 'ecs' && !options.ecsFieldMap) || (!isEventFormat(format) && format !== 'auto');
  // A mapped format other than the built-in ones is read as is: its rules were mapped to its field names.
  const builtIn: EventFormat = isEventFormat(format) ? format : 'raw';
  const routerOptions = {
    ...(options.routing !== undefined ? { routing: options.routing } : mappedFormat ? { routing: false } : {}),
    ...(options.indexing !== undefined ? { indexing: options.indexing } : mappedFormat ? { indexing: false } : {}),
    rawText: normalizerTexts(builtIn),
  };
  const formatOptions = options.ecsFieldMap ? { ecsFieldMap: options.ecsFieldMap } : {};
  const setup: BlockSetup = {
    format: builtIn,
    formatOptions,
    routerOptions,
    pointer: Boolean(options.pointer),
    ...(options.maxValueLength !== undefined ? { maxValueLength: options.maxValueLength } : {}),
  };
  const jobs = options.jobs ?? automaticJobs(options.inputs);
  // The main thread is one of the `jobs` threads matching (match-parallel.ts `mainMatches`). With --jobs 1 too
  // it matches through blocks (a pool of no worker starts no thread), each event as soon as it is parsed: the
  // loop below takes a chunk's events in a batch first, which keeps ~1,000 of them alive through the
  // young-generation collections (100,000 events, SigmaHQ corpus, whole process: 3.7-4.2 s of CPU against
  // 3.3-3.5 s through blocks). The loop stays for correlations and filters, and without a worker recipe.
  let pool = options.workers ? new MatchPool(jobs - 1, { recipe: options.workers, setup }) : undefined;
  // Workers start (and load the target registry) while this thread reads the rules, when the input is large
  // enough to need them; otherwise on the first block that goes to them.
  if (pool && inputBytes(options.inputs) >= EARLY_START_BYTES) pool.start();

  // An events file given as a rule (`--rules a.yml events.ndjson` read the old way, or `-r events.json`) would be
  // read as YAML and give an error per token: say once what it is instead.
  const rulePaths: string[] = [];
  for (const path of options.rules) {
    if (isFile(path) && looksLikeEvents(path)) {
      io.stderr(
        `error[RC955]: ${path}: this looks like events, not a rule (event files go after the options: ` +
          `rulec match --rules <rules> <events>)\n`,
      );
      failed = true;
    } else {
      rulePaths.push(path);
    }
  }
  // A cached rule set gives the workers' text first: they parse it while this thread parses the rest.
  const loaded = loadRulesCached(rulePaths, options.cache !== false, (json) => pool?.rules(undefined, json));
  for (const d of loaded.diagnostics) {
    io.stderr(`${formatDiagnostic(d, d.file === undefined ? undefined : loaded.sources.get(d.file))}\n`);
    if (d.severity === 'error') failed = true;
  }
  if (loaded.files.length === 0) {
    io.stderr('error: no rule files found (.yml or .yaml)\n');
    await pool?.close();
    return 1;
  }
  const filterFolders = loadFilterFolders(options.filters ?? []);
  for (const d of filterFolders.diagnostics) {
    io.stderr(`${formatDiagnostic(d, d.file === undefined ? undefined : filterFolders.sources.get(d.file))}\n`);
    if (d.severity === 'error') failed = true;
  }
  // Correlation rules and filters refer to rules of any file read: link them once everything is loaded.
  const resolution = resolveReferences(loaded.rules, loaded.correlations, [
    ...loaded.filters,
    ...filterFolders.filters,
  ]);
  const runnable = resolution.correlations;
  for (const d of resolution.diagnostics) {
    io.stderr(`${formatDiagnostic(d, d.file === undefined ? undefined : loaded.sources.get(d.file))}\n`);
    if (d.severity === 'error') failed = true;
  }
  const filtered = loaded.filters.length + filterFolders.filters.length > 0;
  if (pool && (runnable.length > 0 || filtered)) {
    // Correlations see matches in input order with their events, and filters tune the rules this thread holds:
    // both run on one thread (docs/matching.md).
    if (options.jobs !== undefined && pool.size > 0)
      io.stderr('note: correlation rules and filters are matched on one thread (--jobs 1)\n');
    await pool.close();
    pool = undefined;
  }
  const correlator = new Correlator(runnable);
  // A rule referenced only by correlations that do not `generate` it alerts through them, not on its own (as in
  // rulec build, build/meta.ts: one correlation with `generate: true` deploys it).
  const standalone = loaded.rules.map((rule) => {
    const referrers = runnable.filter((r) => r.targets.includes(rule));
    return referrers.length === 0 || referrers.some((r) => r.correlation.generate);
  });
  // Likewise a correlation used by another one (the spec's chains): only the outermost alerts.
  const inner = new Set(runnable.flatMap((r) => (r.correlation.generate ? [] : r.targets)));
  let correlationAlerts = 0;
  const alertLine = (a: CorrelationAlert): string => {
    const c = a.correlation;
    if (inner.has(c)) return '';
    const head = { id: c.id, name: c.name, title: c.title, level: c.level, type: c.type };
    const window = { start: new Date(a.start).toISOString(), end: new Date(a.end).toISOString() };
    correlationAlerts++;
    buffered++;
    // Events go through the same serialiser as plain matches (it copes with anything an input can hold).
    const events = a.events.map((e) => (options.pointer ? JSON.stringify(e) : eventJson(e))).join(',');
    const rest = JSON.stringify({ correlation: head, group: a.group, window, value: a.value });
    return `${rest.slice(0, -1)},"events":[${events}]}\n`;
  };
  // Predicates are built when a rule is first a candidate for an event (router.ts `lazyRules`): with the whole
  // SigmaHQ corpus most rules are never reached by a given log, and building them all costs about a second.
  const prepared = {
    rules: lazyRules(
      loaded.rules.map((r) => applyFilters(r, resolution.filtersOf.get(r))),
      factory,
    ),
  };
  // The cache's text holds the rules as read: with filters (which keep the run on this thread) it is not theirs.
  pool?.rules(
    prepared.rules.map((r) => r.rule),
    filtered ? undefined : loaded.slimJson,
  );
  const mainMatcher = pool ? new BlockMatcher(prepared.rules, setup) : undefined;
  const router = mainMatcher?.router ?? new RuleRouter(prepared.rules, routerOptions);
  const headers = prepared.rules.map((r) => ruleHeader(r.rule));
  const counts = new Array<number>(prepared.rules.length).fill(0);
  const normalize = makeNormalizer(builtIn, formatOptions);
  const view = makeRouteView(builtIn, formatOptions);

  const expanded = expandInputs(options.inputs.length > 0 ? options.inputs : [STDIN]);
  for (const d of expanded.diagnostics) {
    io.stderr(`error[${d.code}]: ${d.file}: ${d.message}\n`);
    failed = true;
  }
  const inputs = expanded.files;

  let out: Sink;
  try {
    out = options.output !== undefined ? fileSink(options.output) : stdoutSink(io);
  } catch (error) {
    io.stderr(
      `error[RC957]: cannot write ${printable(options.output ?? '')} (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`,
    );
    await pool?.close();
    return 1;
  }

  let eventWarnings = 0;
  let unreadable = false;
  const onDiagnostic = (d: Diagnostic): void => {
    failed = true;
    if (d.severity === 'error') {
      unreadable = true;
      io.stderr(`${formatDiagnostic(d)}\n`);
      return;
    }
    eventWarnings++;
    if (eventWarnings <= MAX_EVENT_WARNINGS) {
      io.stderr(`warning[${d.code}]: ${printable(`${d.file}:${d.span?.start.line ?? '?'}: ${d.message}`)}\n`);
    }
  };

  const progress = io.isTty ? new Progress(io, inputs, now) : undefined;
  const started = now();
  let events = 0;
  let matches = 0;
  let buffer = '';
  let buffered = 0;
  /** Hands the buffered lines to the output; false when the output is gone (then reading stops). */
  const flush = async (): Promise<boolean> => {
    const text = buffer;
    const lines = buffered;
    buffer = '';
    buffered = 0;
    return out.write(text, lines);
  };
  let open = true;
  /** With workers: the router counters, unusable rules and predicate errors of every thread, merged. */
  const merged = {
    routed: 0,
    evaluated: 0,
    skipped: new Map<number, string>(),
    errors: new Map<number, PredicateError>(),
  };
  const emit: BlockSink = async (pre, result) => {
    for (const d of pre) onDiagnostic(d);
    for (const d of result.diagnostics) onDiagnostic(d);
    const hits = result.hits;
    for (let k = 0; k < hits.length; k++) counts[hits[k]!]!++;
    matches += hits.length;
    events += result.events;
    merged.routed += result.routed;
    merged.evaluated += result.evaluated;
    for (const [i, reason] of result.skipped) if (!merged.skipped.has(i)) merged.skipped.set(i, reason);
    for (const [i, count, first] of result.errors) {
      const known = merged.errors.get(i);
      if (known) known.count += count;
      else merged.errors.set(i, { count, first });
    }
    if (result.bytes !== undefined) {
      // A worker's lines, already encoded: written as they are, after the lines buffered before them.
      if ((buffered > 0 && !(await flush())) || !(await out.write(result.bytes, result.lines))) {
        open = false;
        return false;
      }
      return true;
    }
    buffer += result.output;
    buffered += result.lines;
    if (buffer.length >= FLUSH_AT && !(await flush())) {
      open = false;
      return false;
    }
    return true;
  };
  try {
    if (pool && mainMatcher) {
      await matchParallel(inputs, {
        pool,
        main: mainMatcher,
        mainMatches: true,
        read: (input) => ({
          ...(io.stdin ? { stdin: io.stdin } : {}),
          ...(progress ? { onBytes: (bytes: number) => progress.update(input, bytes, events) } : {}),
        }),
        emit,
      });
    }
    reading: for (const input of pool ? [] : inputs) {
      const batches = readEventBatches(input, {
        onDiagnostic,
        ...(io.stdin ? { stdin: io.stdin } : {}),
        ...(options.maxValueLength !== undefined ? { maxValueLength: options.maxValueLength } : {}),
        ...(progress ? { onBytes: (bytes: number) => progress.update(input, bytes, events) } : {}),
      });
      for await (const batch of batches) {
        for (let r = 0; r < batch.length; r++) {
          const record = batch[r]!;
          const event = record.event as Record<string, unknown>;
          const hits = router.matchRecord(event, normalize, view, record.text);
          if (router.refused) {
            onDiagnostic({
              code: 'RC982',
              severity: 'warning',
              message: `event nested deeper than ${MAX_EVENT_DEPTH} levels exhausts the rules' stack (skipped)`,
              file: record.source.file,
              span: lineSpan(record.source.line),
            });
          }
          for (let k = 0; k < hits.length; k++) {
            const i = hits[k]!;
            counts[i]!++;
            matches++;
            const correlated = loaded.rules[i];
            if (correlator.uses(correlated)) {
              // Normalising again (the router did, privately) costs more than the correlation: only when the event
              // as read lacks a field or the time the correlations read.
              const raw = correlator.fieldsRead(correlated).every((f) => valueOf(event, f) !== undefined);
              const timeRaw = eventTime(event, options.timeField);
              const normalized = raw && timeRaw !== undefined ? event : normalize(event);
              const time = timeRaw ?? eventTime(normalized, options.timeField);
              if (time === undefined) {
                onDiagnostic({
                  code: 'RC722',
                  severity: 'warning',
                  message: `event has no readable time (${options.timeField ?? 'no time field'}); correlation rules skip it`,
                  file: record.source.file,
                  span: lineSpan(record.source.line),
                });
              } else {
                const ref = options.pointer ? record.source : event;
                for (const a of correlator.push(correlated, time, normalized, ref)) buffer += alertLine(a);
              }
            }
            if (!standalone[i]) continue;
            const where = options.pointer ? `"source":${JSON.stringify(record.source)}` : `"event":${eventJson(event)}`;
            buffer += `{"rule":${headers[i]},${where}}\n`;
            buffered++;
          }
          if (buffer.length >= FLUSH_AT && !(await flush())) {
            open = false;
            events += r + 1;
            break reading;
          }
        }
        events += batch.length;
      }
    }
    if (open) {
      for (const a of correlator.finish()) buffer += alertLine(a);
    }
    if (open && buffered > 0) open = await flush();
  } finally {
    await pool?.close();
    await out.close();
    progress?.clear();
  }
  const skipped = pool
    ? [...merged.skipped].map(([i, reason]) => ({ rule: prepared.rules[i]!.rule, reason }))
    : router.skipped;
  const errors = pool ? merged.errors : router.errors;
  const fraction = pool
    ? merged.routed === 0 || prepared.rules.length === 0
      ? 0
      : merged.evaluated / (merged.routed * prepared.rules.length)
    : router.evaluatedFraction;

  const seconds = (now() - started) / 1000;
  if (eventWarnings > MAX_EVENT_WARNINGS) {
    io.stderr(`warning: ${eventWarnings - MAX_EVENT_WARNINGS} more malformed events not shown\n`);
  }
  for (const { rule, reason } of skipped) {
    io.stderr(`warning[RC952]: ${printable(`${rule.file}: rule '${rule.title}' is skipped: ${reason}`)}\n`);
  }
  for (const [i, e] of errors) {
    failed = true;
    io.stderr(
      `error: ${printable(`the predicate of '${prepared.rules[i]!.rule.title}' threw on ${e.count} events: ${e.first}`)}\n`,
    );
  }
  const lost = out.failure;
  const closedByReader = lost?.code === 'EPIPE';
  if (lost !== undefined && !closedByReader) {
    io.stderr(`error[RC957]: cannot write matches to ${out.name} (${lost.code ?? lost.message})\n`);
  }
  if (events === 0 && !unreadable && lost === undefined) {
    // As the other commands refuse an empty set of rules: an empty input is more often a mistake (a wrong path,
    // a log not rotated in yet) than a clean result.
    io.stderr(`error[RC956]: no event was read from ${inputs.map(displayName).join(', ')}\n`);
    failed = true;
  }
  if (runnable.length > 0)
    io.stderr(`${correlationAlerts} correlation alerts from ${runnable.length} correlation rules\n`);
  io.stderr(
    summary(
      prepared.rules.map((r) => r.rule),
      counts,
      {
        events,
        matches,
        seconds,
        fraction,
        ...(lost !== undefined
          ? { written: out.written, stopped: closedByReader ? 'the reader closed the output' : 'the output failed' }
          : {}),
      },
    ),
  );
  if (closedByReader) return EXIT_OUTPUT_CLOSED;
  return failed || lost !== undefined ? 1 : 0;
}

function displayName(input: string): string {
  return input === STDIN ? STDIN_NAME : input;
}

/** Inputs at least this large start the workers before the rules are read (about one block). */
const EARLY_START_BYTES = 1 << 20;

/** The total size of the input files (stdin counts as empty: its workers start with its second block). */
function inputBytes(inputs: readonly string[]): number {
  let total = 0;
  for (const input of inputs.length > 0 ? inputs : [STDIN]) {
    if (input === STDIN) return 0;
    try {
      const stat = statSync(input);
      total += stat.isDirectory() ? EARLY_START_BYTES : stat.size;
    } catch {
      // reported when read
    }
  }
  return total;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--jobs`: a positive whole number of threads. */
function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Formats read as they are by the predicate target's own pipeline (as match-site.ts maps the others). */
const RAW_FORMATS = new Set(['raw', 'auto', 'evtx']);

/** How a worker makes the predicates `addMatchCommands`' factory makes for this format and site. */
function workerRecipe(registryModule: string, format: string, pipeline: Pipeline | undefined): FactoryRecipe {
  return {
    registryModule,
    ...(RAW_FORMATS.has(format) ? {} : { eventFormat: format }),
    ...(pipeline ? { pipeline } : {}),
  };
}

/** `--max-event-size` in MiB, as a length in characters (one per byte for the ASCII of JSON syntax). */
function parseMebibytes(value: string): number {
  const mib = Number(value);
  if (!Number.isFinite(mib) || mib <= 0) throw new InvalidArgumentError('expected a positive number of MiB');
  return Math.max(1, Math.round(mib * 1024 * 1024));
}

function summary(
  rules: readonly Rule[],
  counts: readonly number[],
  run: {
    events: number;
    matches: number;
    seconds: number;
    /** Share of rules evaluated per event. */
    fraction: number;
    /** When the output failed: the matches it took, and why it stopped. */
    written?: number;
    stopped?: string;
  },
): string {
  const rate = run.seconds > 0 ? Math.round(run.events / run.seconds) : 0;
  // Never claim more than reached the output: the matches found are only what was read before it stopped.
  const matches =
    run.written === undefined
      ? `${run.matches} matches`
      : `${run.written} matches written, then reading stopped (${run.stopped})`;
  const lines = [
    `${run.events} events, ${matches}, ${rules.length} rules in ${run.seconds.toFixed(2)} s (${rate} events/s)`,
    `rules evaluated per event: ${(run.fraction * 100).toFixed(2)} %`,
  ];
  // Per-rule counts are of matches found; after a failed output they would claim more than was written.
  if (run.written !== undefined) return `${lines.join('\n')}\n`;
  const order = counts
    .map((count, i) => ({ count, i }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count || a.i - b.i);
  for (const { count, i } of order) {
    const rule = rules[i]!;
    lines.push(`${String(count).padStart(8)}  ${printable(`${rule.title}${rule.id ? ` (${rule.id})` : ''}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Where matches go. `write` resolves once the output can take more (a slow reader holds the run, not memory) and
 * says whether it is still there; `written` counts the lines the output accepted (handed to the system).
 */
interface Sink {
  readonly name: string;
  write(text: string | Uint8Array, lines: number): Promise<boolean>;
  close(): Promise<void>;
  readonly written: number;
  readonly failure: NodeJS.ErrnoException | undefined;
}

function stdoutSink(io: CliIo): Sink {
  if (io.stdoutStream) return streamSink(io.stdoutStream, '<stdout>', false);
  let written = 0;
  return {
    name: '<stdout>',
    write: (text, lines) => {
      io.stdout(typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.length).toString());
      written += lines;
      return Promise.resolve(true);
    },
    close: () => Promise.resolve(),
    get written() {
      return written;
    },
    failure: undefined,
  };
}

function fileSink(path: string): Sink {
  // Opened now, so a path that cannot be written is refused before any input is read.
  const fd = openSync(path, 'w');
  return streamSink(createWriteStream(path, { fd }), path, true);
}

/**
 * A sink over a writable stream: waits for 'drain' when the stream's buffer is full, and records the first error
 * (EPIPE when the reader went away, ENOSPC, EIO…) instead of letting it escape as an unhandled 'error' event.
 */
function streamSink(stream: NodeJS.WritableStream, name: string, owned: boolean): Sink {
  let failure: NodeJS.ErrnoException | undefined;
  let written = 0;
  const onError = (error: NodeJS.ErrnoException): void => {
    failure ??= error;
  };
  // Kept for the life of the process: a late error (after close) must not become an uncaught exception either.
  stream.on('error', onError);
  const settle = (events: readonly string[]): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        for (const event of events) stream.off(event, done);
        resolve();
      };
      for (const event of events) stream.once(event, done);
    });
  return {
    name,
    async write(text, lines) {
      if (failure !== undefined) return false;
      const ready = stream.write(text, (error) => {
        if (error) failure ??= error;
        else written += lines;
      });
      if (!ready && failure === undefined) await settle(['drain', 'error', 'close']);
      return failure === undefined;
    },
    async close() {
      if (owned) {
        if (failure === undefined) {
          const finished = settle(['finish', 'error', 'close']);
          stream.end();
          await finished;
        } else {
          (stream as Writable).destroy();
        }
        return;
      }
      // stdout stays open; wait until what was written is handed over (or fails), so the count is final.
      if (failure === undefined) await new Promise<void>((resolve) => stream.write('', () => resolve()));
    },
    get written() {
      return written;
    },
    get failure() {
      return failure;
    },
  };
}

/** A one-line progress bar on stderr, redrawn at most five times a second. */
class Progress {
  private readonly sizes = new Map<string, number>();
  private readonly total: number;
  private done = 0;
  private currentInput = '';
  private last = 0;
  private drawn = false;

  constructor(
    private readonly io: CliIo,
    inputs: readonly string[],
    private readonly now: () => number,
  ) {
    let total = 0;
    for (const input of inputs) {
      let size = 0;
      try {
        size = input === STDIN ? 0 : statSync(input).size;
      } catch {
        // reported when read
      }
      this.sizes.set(input, size);
      total += size;
    }
    this.total = total;
    this.last = now();
  }

  update(input: string, bytes: number, events: number): void {
    if (input !== this.currentInput) {
      if (this.currentInput !== '') this.done += this.sizes.get(this.currentInput) ?? 0;
      this.currentInput = input;
    }
    const t = this.now();
    if (t - this.last < 200) return;
    this.last = t;
    const read = this.done + bytes;
    const share = this.total > 0 ? Math.min(1, read / this.total) : 0;
    const width = 30;
    const bar =
      this.total > 0
        ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ${(share * 100).toFixed(0)}% `
        : '';
    this.io.stderr(`\r${bar}${(read / 1e6).toFixed(1)} MB, ${events} events\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.io.stderr('\r\x1b[K');
  }
}

/**
 * Adds `match` and `test` to the rulec program; main.ts calls this with the JS target's factory (src/ cannot
 * import it). `setExitCode` receives each command's exit status.
 */
export function addMatchCommands(
  program: Command,
  factory: PredicateFactory,
  io: MatchIo,
  setExitCode: (code: number) => void,
  /** A factory for events of a given format when rules must be mapped to it first (e.g. ECS documents). */
  factoryForFormat?: (format: string) => PredicateFactory | undefined,
  /** Event formats the registry's targets declare (`Backend.eventFormat`). */
  mappedFormats: readonly string[] = [],
  /**
   * `--config` / `--pipeline` (and a rulec.config.yml found from here upwards): the factory of the site's layered
   * pipeline for that format, and the configuration's rule paths; undefined after printing its errors.
   */
  forSite?: (opts: SiteCliOptions, format: string, fallback: PredicateFactory) => SiteFactory | undefined,
  /** URL of the module exporting the target registry (`BACKENDS`), for `--jobs` worker threads. */
  registryModule?: string,
): void {
  const formats = [...new Set([...EVENT_FORMATS, ...mappedFormats])];
  const matchCommand = program
    .command('match')
    .description(
      'run rules on events (NDJSON, JSON arrays or documents; files, folders, .gz or stdin) and print the matches',
    )
    .argument('[inputs...]', 'event files or folders; - for stdin (the default)')
    // Not variadic: `--rules rules/ events.ndjson` must leave the events file to the inputs. Repeat it instead.
    .option('-r, --rules <path>', 'a rule file or folder; repeat for more (default: rules)', collect, [])
    .option('-f, --format <format>', `event format: ${formats.join(', ')}`, 'auto')
    .option('-o, --output <file>', 'write matches to a file instead of stdout')
    .option('--pointer', 'print {file, line} of each matching event instead of the event')
    .option('--max-event-size <MiB>', 'skip (with a warning) any JSON value longer than this', parseMebibytes)
    .option('--time-field <field>', "the events' time field, for correlation rules (default: @timestamp, timestamp, …)")
    .option(
      '--filters <dir>',
      'a folder (or file) of Sigma filters to apply to the rules; repeat for more',
      collect,
      [],
    )
    .option(
      '-j, --jobs <n>',
      `threads matching events (default: the cores available, ${defaultJobs()}, for inputs of 64 MiB or more; 1 below)`,
      parseJobs,
    )
    .option('--no-cache', 'read the rules afresh even when their files did not change since the last run')
    .action(
      async (
        inputs: string[],
        opts: SiteCliOptions & {
          rules: string[];
          format: string;
          output?: string;
          pointer?: boolean;
          maxEventSize?: number;
          timeField?: string;
          filters: string[];
          jobs?: number;
          cache: boolean;
        },
      ) => {
        const formatFactory = factoryForFormat?.(opts.format) ?? factory;
        const site = forSite ? forSite(opts, opts.format, formatFactory) : { factory: formatFactory };
        if (!site) return setExitCode(1);
        setExitCode(
          await runMatch(
            {
              rules: opts.rules.length > 0 ? opts.rules : [...(site.rules ?? ['rules'])],
              inputs,
              format: opts.format,
              mappedFormats,
              pointer: Boolean(opts.pointer),
              ...(opts.output !== undefined ? { output: opts.output } : {}),
              ...(opts.maxEventSize !== undefined ? { maxValueLength: opts.maxEventSize } : {}),
              ...(opts.timeField !== undefined ? { timeField: opts.timeField } : {}),
              filters: opts.filters,
              ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
              cache: opts.cache,
              ...(registryModule !== undefined
                ? { workers: workerRecipe(registryModule, opts.format, site.pipeline) }
                : {}),
            },
            site.factory,
            io,
          ),
        );
      },
    );
  const testCommand = program
    .command('test')
    .description("run the rules' own test cases (tests:) through the JS predicate target")
    .argument('[paths...]', "rule files or folders (default: the configuration's rules, else rules)")
    .option('--verbose', 'list passing cases too')
    .option('--format <format>', 'output: text (people), json or sarif (CI, code scanning)', 'text')
    .option(
      '--filters <dir>',
      'a folder (or file) of Sigma filters to apply to the rules; repeat for more',
      collect,
      [],
    )
    .action((paths: string[], opts: SiteCliOptions & { verbose?: boolean; format: string; filters: string[] }) => {
      const format = parseFormat(opts.format);
      // The rules' test events are raw events: the predicate target's own pipeline, as the site layers it.
      const site = forSite ? forSite(opts, 'raw', factory) : { factory };
      if (!site) return setExitCode(1);
      const given = paths.length > 0 ? paths : [...(site.rules ?? ['rules'])];
      setExitCode(runTests(given, site.factory, io, { verbose: Boolean(opts.verbose), format, filters: opts.filters }));
    });
  if (forSite) {
    addSiteOptions(matchCommand);
    addSiteOptions(testCommand);
  }
}
