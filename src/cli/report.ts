/** Prints diagnostics for people (code frames, on stderr) or machines (JSON or SARIF, on stdout). */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/frontend-codes.js';
import '../diagnostics/usage-codes.js';
import { diagnosticToJson, formatDiagnostic } from '../diagnostics/format.js';
import { toSarif } from '../diagnostics/sarif.js';
import { prepareDiagnostics } from '../source/locate-diagnostics.js';
import type { CliIo } from './io.js';
import { rulecVersion } from './version.js';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A command-line mistake (unknown format, unknown target): reported in one line with its RC99x code, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code = 'RC990',
  ) {
    super(message);
  }
}

export function parseFormat(value: string): OutputFormat {
  const format = value.toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(format)) return format as OutputFormat;
  throw new UsageError(`unknown --format '${value}' (expected ${OUTPUT_FORMATS.join(', ')})`, 'RC992');
}

/** RC031: the paths given hold no rule file; every command refuses an empty input the same way (exit 1). */
export function noRulesFound(paths: readonly string[]): Diagnostic {
  return {
    code: 'RC031',
    severity: 'error',
    message: `no rule files found (.yml or .yaml) in ${paths.map((p) => `'${p}'`).join(', ') || 'the given paths'}`,
  };
}

/** Diagnostics as shown: located on the rule's source, repeats folded, in stable order. */
export function prepare(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): Diagnostic[] {
  return prepareDiagnostics(diagnostics, sources);
}

/** Text diagnostics on stderr, each with its code frame. Returns what was printed (located and folded). */
export function printDiagnostics(
  io: CliIo,
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
): Diagnostic[] {
  const prepared = prepare(diagnostics, sources);
  for (const d of prepared) io.stderr(`${formatDiagnostic(d, d.file ? sources.get(d.file) : undefined)}\n`);
  return prepared;
}

/**
 * What `printDiagnostics` prints, by file ('' for diagnostics of none), in printed order: an incremental build
 * (build/incremental.ts) keeps it so, and replaces only the changed files' parts.
 */
export function diagnosticSegments(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
): [file: string, text: string][] {
  const segments: [string, string][] = [];
  for (const d of prepare(diagnostics, sources)) {
    const text = `${formatDiagnostic(d, d.file ? sources.get(d.file) : undefined)}\n`;
    const last = segments[segments.length - 1];
    if (last && last[0] === (d.file ?? '')) last[1] += text;
    else segments.push([d.file ?? '', text]);
  }
  return segments;
}

/** One JSON document on stdout: the command's own data plus its diagnostics (already prepared). */
export function printJson(
  io: Pick<CliIo, 'stdout'>,
  data: Readonly<Record<string, unknown>>,
  diagnostics: readonly Diagnostic[],
): void {
  io.stdout(`${JSON.stringify({ ...data, diagnostics: diagnostics.map(diagnosticToJson) }, null, 2)}\n`);
}

/** A SARIF 2.1.0 log on stdout (diagnostics already prepared). */
export function printSarif(io: Pick<CliIo, 'stdout'>, diagnostics: readonly Diagnostic[]): void {
  const log = toSarif(diagnostics, { toolName: 'rulec', toolVersion: rulecVersion() });
  io.stdout(`${JSON.stringify(log, null, 2)}\n`);
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}
