/**
 * Diagnostics as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), the input of code-scanning
 * UIs: one run, the codes catalogue as the tool's rules, one result per diagnostic.
 *
 * Shape facts relied on (SARIF 2.1.0 §3.13–§3.30): `version` "2.1.0"; `runs[].tool.driver` with `name` and
 * `rules[]` (`id`, `shortDescription.text`, `defaultConfiguration.level`); `results[]` with `ruleId`, `ruleIndex`
 * (index into `driver.rules`), `level` (`error`, `warning` or `note`), `message.text` and
 * `locations[].physicalLocation` (`artifactLocation.uri`, `region` with 1-based `startLine`/`startColumn` and an
 * exclusive `endColumn`). Columns are counted in UTF-16 code units, as JavaScript strings are, and the run says so.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allCodes, codeInfo } from './codes.js';
import type { Diagnostic, Severity } from './diagnostic.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  readonly toolName: string;
  readonly toolVersion: string;
  readonly informationUri?: string;
  /** Relative file URIs are written relative to this folder (default: the working directory). */
  readonly baseDir?: string;
}

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Readonly<Record<Severity, SarifLevel>> = { error: 'error', warning: 'warning', info: 'note' };

interface SarifRule {
  readonly id: string;
  readonly shortDescription: { readonly text: string };
  readonly defaultConfiguration: { readonly level: SarifLevel };
}

/**
 * A file path as a SARIF artifact URI: relative (with `/`, percent-encoded) when it lies under `baseDir`, so a
 * code-scanning UI resolves it against the repository; otherwise an absolute `file:` URI.
 */
export function artifactUri(file: string, baseDir: string): string {
  const rel = isAbsolute(file) ? relative(baseDir, file) : file;
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return pathToFileURL(file).href;
  return rel
    .split(sep)
    .join('/')
    .split('/')
    .filter((segment) => segment !== '.')
    .map(encodeURIComponent)
    .join('/');
}

/** The SARIF log of `diagnostics` (stable order: as given). */
export function toSarif(diagnostics: readonly Diagnostic[], options: SarifOptions): Record<string, unknown> {
  const baseDir = options.baseDir ?? process.cwd();
  const rules: SarifRule[] = allCodes().map((info) => ({
    id: info.code,
    shortDescription: { text: info.summary },
    defaultConfiguration: { level: LEVEL[info.severity] },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  // A code missing from the catalogue still gets a rule entry, so every result's ruleIndex is valid.
  for (const d of diagnostics) {
    if (index.has(d.code)) continue;
    index.set(d.code, rules.length);
    rules.push({
      id: d.code,
      shortDescription: { text: codeInfo(d.code)?.summary ?? d.message },
      defaultConfiguration: { level: LEVEL[d.severity] },
    });
  }
  const results = diagnostics.map((d) => {
    const text = [d.message + (d.target ? ` (${d.target})` : ''), ...(d.label ? [d.label] : []), ...(d.notes ?? [])];
    const region = d.span
      ? {
          startLine: d.span.start.line,
          startColumn: d.span.start.col,
          ...(d.span.end.line >= d.span.start.line ? { endLine: d.span.end.line } : {}),
          // An empty span still covers one column, so the UI has something to underline.
          endColumn:
            d.span.end.line === d.span.start.line ? Math.max(d.span.end.col, d.span.start.col + 1) : d.span.end.col,
          charOffset: d.span.start.offset,
          charLength: Math.max(0, d.span.end.offset - d.span.start.offset),
        }
      : undefined;
    return {
      ruleId: d.code,
      ruleIndex: index.get(d.code)!,
      level: LEVEL[d.severity],
      message: { text: text.join('\n') },
      ...(d.file !== undefined
        ? {
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: artifactUri(d.file, baseDir) },
                  ...(region ? { region } : {}),
                },
              },
            ],
          }
        : {}),
      ...(d.count !== undefined && d.count > 1 ? { occurrenceCount: d.count } : {}),
      ...(d.target !== undefined ? { properties: { target: d.target } } : {}),
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: options.toolName,
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
