/**
 * `rulec match --rules <paths…> [inputs…]`: runs rules on events and writes one NDJSON line per match, then a
 * summary on stderr. Exit 0 when everything was read, 1 when a rule file, an input or an event had a problem,
 * 2 on a usage error. The predicate maker is injected: src/ never names a target.
 */
import type { Command } from 'commander';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import type { EventFormat } from '../match/formats.js';
import { EVENT_FORMATS, isEventFormat, makeNormalizer, makeRouteView } from '../match/formats.js';
import { loadRules } from '../match/load-rules.js';
import { readEventBatches, STDIN } from '../match/read-events.js';
import { lazyRules, RuleRouter } from '../match/router.js';
import type { PredicateFactory } from '../match/types.js';
import type { Rule } from '../model/rule.js';
import type { CliIo } from './io.js';
import { parseFormat } from './report.js';
import { runTests } from './test-command.js';

export interface MatchOptions {
  /** Rule files or folders. */
  readonly rules: readonly string[];
  /** Event files; `-` is stdin. None means stdin. */
  readonly inputs: readonly string[];
  /** Event format (docs/matching.md); `auto` by default. */
  readonly format?: string;
  /** Write matches to this file instead of stdout. */
  readonly output?: string;
  /** Print `{file, line}` of each matching event instead of the event. */
  readonly pointer?: boolean;
  /** For `--format ecs`: ECS field → rule field. */
  readonly ecsFieldMap?: Readonly<Record<string, string>>;
  /** Logsource routing and witness indexing (on by default; off only to measure them). */
  readonly routing?: boolean;
  readonly indexing?: boolean;
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

export async function runMatch(options: MatchOptions, factory: PredicateFactory, io: MatchIo): Promise<number> {
  const format = options.format ?? 'auto';
  if (!isEventFormat(format)) {
    io.stderr(`error: unknown event format '${format}' (expected ${EVENT_FORMATS.join(', ')})\n`);
    return 2;
  }
  const now = io.now ?? (() => performance.now());
  let failed = false;

  const loaded = loadRules(options.rules);
  for (const d of loaded.diagnostics) {
    io.stderr(`${formatDiagnostic(d, d.file === undefined ? undefined : loaded.sources.get(d.file))}\n`);
    if (d.severity === 'error') failed = true;
  }
  if (loaded.files.length === 0) {
    io.stderr('error: no rule files found (.yml or .yaml)\n');
    return 1;
  }
  // Predicates are built when a rule is first a candidate for an event (router.ts `lazyRules`): with the whole
  // SigmaHQ corpus most rules are never reached by a given log, and building them all costs about a second.
  const prepared = { rules: lazyRules(loaded.rules, factory) };
  // Routing and the witness index read the rules' own field names; for events of a mapped format (ECS) the
  // predicates test the mapped names instead, so every rule is evaluated there.
  const mappedFormat = format === 'ecs' && !options.ecsFieldMap;
  const router = new RuleRouter(prepared.rules, {
    ...(options.routing !== undefined ? { routing: options.routing } : mappedFormat ? { routing: false } : {}),
    ...(options.indexing !== undefined ? { indexing: options.indexing } : mappedFormat ? { indexing: false } : {}),
  });
  const headers = prepared.rules.map((r) => ruleHeader(r.rule));
  const counts = new Array<number>(prepared.rules.length).fill(0);
  const formatOptions = options.ecsFieldMap ? { ecsFieldMap: options.ecsFieldMap } : {};
  const normalize = makeNormalizer(format as EventFormat, formatOptions);
  const view = makeRouteView(format as EventFormat, formatOptions);

  let out: Sink;
  try {
    out = options.output !== undefined ? fileSink(options.output) : stdoutSink(io);
  } catch (error) {
    io.stderr(`error: cannot write ${options.output} (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return 1;
  }

  let eventWarnings = 0;
  const onDiagnostic = (d: Diagnostic): void => {
    if (d.severity === 'error') {
      failed = true;
      io.stderr(`${formatDiagnostic(d)}\n`);
      return;
    }
    failed = true;
    eventWarnings++;
    if (eventWarnings <= MAX_EVENT_WARNINGS) {
      io.stderr(`warning[${d.code}]: ${d.file}:${d.span?.start.line ?? '?'}: ${d.message}\n`);
    }
  };

  const inputs = options.inputs.length > 0 ? options.inputs : [STDIN];
  const progress = io.isTty ? new Progress(io, inputs, now) : undefined;
  const started = now();
  let events = 0;
  let matches = 0;
  let buffer = '';
  try {
    for (const input of inputs) {
      const batches = readEventBatches(input, {
        onDiagnostic,
        ...(io.stdin ? { stdin: io.stdin } : {}),
        ...(progress ? { onBytes: (bytes: number) => progress.update(input, bytes, events) } : {}),
      });
      for await (const batch of batches) {
        for (const record of batch) {
          const event = record.event as Record<string, unknown>;
          const hits = router.matchRecord(event, normalize, view);
          for (let k = 0; k < hits.length; k++) {
            const i = hits[k]!;
            counts[i]!++;
            matches++;
            const where = options.pointer
              ? `"source":${JSON.stringify(record.source)}`
              : `"event":${JSON.stringify(event)}`;
            buffer += `{"rule":${headers[i]},${where}}\n`;
          }
        }
        events += batch.length;
        if (buffer.length >= FLUSH_AT) {
          out.write(buffer);
          buffer = '';
        }
      }
    }
    if (buffer.length > 0) out.write(buffer);
  } finally {
    out.close();
    progress?.clear();
  }

  const seconds = (now() - started) / 1000;
  if (eventWarnings > MAX_EVENT_WARNINGS) {
    io.stderr(`warning: ${eventWarnings - MAX_EVENT_WARNINGS} more malformed events not shown\n`);
  }
  for (const { rule, reason } of router.skipped) {
    io.stderr(`warning[RC952]: ${rule.file}: rule '${rule.title}' is skipped: ${reason}\n`);
  }
  for (const [i, e] of router.errors) {
    failed = true;
    io.stderr(`error: the predicate of '${prepared.rules[i]!.rule.title}' threw on ${e.count} events: ${e.first}\n`);
  }
  io.stderr(
    summary(
      prepared.rules.map((r) => r.rule),
      counts,
      { events, matches, seconds, router },
    ),
  );
  return failed ? 1 : 0;
}

/** The rule part of each output line, serialised once. `author` is kept for attribution (DRL 1.1). */
function ruleHeader(rule: Rule): string {
  return JSON.stringify({ id: rule.id, title: rule.title, level: rule.level, author: rule.author });
}

function summary(
  rules: readonly Rule[],
  counts: readonly number[],
  run: { events: number; matches: number; seconds: number; router: RuleRouter },
): string {
  const rate = run.seconds > 0 ? Math.round(run.events / run.seconds) : 0;
  const lines = [
    `${run.events} events, ${run.matches} matches, ${rules.length} rules in ${run.seconds.toFixed(2)} s (${rate} events/s)`,
    `rules evaluated per event: ${(run.router.evaluatedFraction * 100).toFixed(2)} %`,
  ];
  const order = counts
    .map((count, i) => ({ count, i }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count || a.i - b.i);
  for (const { count, i } of order) {
    const rule = rules[i]!;
    lines.push(`${String(count).padStart(8)}  ${rule.title}${rule.id ? ` (${rule.id})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Sink {
  write(text: string): void;
  close(): void;
}

function stdoutSink(io: CliIo): Sink {
  return { write: (text) => io.stdout(text), close: () => undefined };
}

function fileSink(path: string): Sink {
  const fd = openSync(path, 'w');
  return {
    write: (text) => {
      writeSync(fd, text);
    },
    close: () => closeSync(fd),
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
): void {
  program
    .command('match')
    .description('run rules on events (NDJSON, JSON arrays or documents; files or stdin) and print the matches')
    .argument('[inputs...]', 'event files; - for stdin (the default)')
    .option('-r, --rules <paths...>', 'rule files or folders', ['rules'])
    .option('-f, --format <format>', `event format: ${EVENT_FORMATS.join(', ')}`, 'auto')
    .option('-o, --output <file>', 'write matches to a file instead of stdout')
    .option('--pointer', 'print {file, line} of each matching event instead of the event')
    .action(async (inputs: string[], opts: { rules: string[]; format: string; output?: string; pointer?: boolean }) => {
      setExitCode(
        await runMatch(
          {
            rules: opts.rules,
            inputs,
            format: opts.format,
            pointer: Boolean(opts.pointer),
            ...(opts.output !== undefined ? { output: opts.output } : {}),
          },
          factoryForFormat?.(opts.format) ?? factory,
          io,
        ),
      );
    });
  program
    .command('test')
    .description("run the rules' own test cases (tests:) through the JS predicate target")
    .argument('[paths...]', 'rule files or folders', ['rules'])
    .option('--verbose', 'list passing cases too')
    .option('--format <format>', 'output: text (people), json or sarif (CI, code scanning)', 'text')
    .action((paths: string[], opts: { verbose?: boolean; format: string }) => {
      const format = parseFormat(opts.format);
      setExitCode(runTests(paths, factory, io, { verbose: Boolean(opts.verbose), format }));
    });
}
