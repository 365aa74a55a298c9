/**
 * Coverage of a rule set per target: compiled cleanly, compiled with warnings (which losses), refused (why).
 * Rendered as a terminal table, a JSON document for machines and a Markdown rules × targets matrix for people.
 */
import { codeInfo } from '../diagnostics/codes.js';
import { compareText } from '../diagnostics/compare-text.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { BuildResult } from './built.js';

/** What the coverage reads of a build's result (a streaming build keeps no more of it, stream.ts). */
export interface CoverageResult {
  readonly target: string;
  readonly rule: Pick<BuildResult['rule'], 'file' | 'documentIndex' | 'title' | 'id'>;
  readonly status: BuildResult['status'];
  readonly diagnostics: readonly Diagnostic[];
  readonly compiled?: { readonly mapped: { readonly logsourceId?: string } };
}

export interface TargetCoverage {
  readonly target: string;
  readonly rules: number;
  readonly clean: number;
  readonly warned: number;
  readonly refused: number;
  /** Rules that compiled against a real logsource mapping (not the fallback destination). */
  readonly mapped: number;
  /** code → number of rules it concerns (warnings and refusals). */
  readonly warningCodes: Readonly<Record<string, number>>;
  readonly refusalCodes: Readonly<Record<string, number>>;
}

/** One rule's outcome in one target: the status and the codes of its warnings or refusal. */
export interface RuleTargetResult {
  readonly status: 'ok' | 'warnings' | 'refused';
  /** Warning and error codes, each once, sorted. */
  readonly codes: readonly string[];
}

/** One rule across the targets, as a row of the Markdown matrix. */
export interface RuleCoverage {
  readonly file: string;
  /** Index of the YAML document in the file, when the file holds several. */
  readonly document?: number;
  readonly title: string;
  readonly id?: string;
  /** Target id → outcome. */
  readonly targets: Readonly<Record<string, RuleTargetResult>>;
}

export interface CoverageReport {
  readonly rules: number;
  /** Files that could not be read into rules at all (schema or detection errors). */
  readonly failedFiles: number;
  readonly targets: readonly TargetCoverage[];
  /** One-line summary of every code that appears. */
  readonly codes: Readonly<Record<string, string>>;
  /** Per rule (file order), what each target made of it: the data of the Markdown matrix. */
  readonly results: readonly RuleCoverage[];
}

function countCodes(
  diagnostics: readonly Diagnostic[],
  severity: 'warning' | 'error',
  into: Record<string, number>,
): void {
  for (const code of new Set(diagnostics.filter((d) => d.severity === severity).map((d) => d.code)))
    into[code] = (into[code] ?? 0) + 1;
}

function sortRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => compareText(a, b)));
}

export function coverageOf(results: readonly CoverageResult[], ruleCount: number, failedFiles: number): CoverageReport {
  const codes: Record<string, string> = {};
  const targets = targetCoverage(results, codes);
  const sortedCodes = Object.fromEntries(Object.entries(codes).sort(([a], [b]) => compareText(a, b)));
  return { rules: ruleCount, failedFiles, targets, codes: sortedCodes, results: ruleResults(results) };
}

/**
 * The per-target counts alone (what `coverageTable` prints): a build reports no more, and the per-rule rows of
 * `coverageOf` were the largest thing its report made (about 3 MB over the corpus, at the build's peak).
 */
export function targetCoverage(
  results: readonly CoverageResult[],
  codes: Record<string, string> = {},
): TargetCoverage[] {
  const byTarget = new Map<string, CoverageResult[]>();
  for (const r of results) {
    const list = byTarget.get(r.target);
    if (list) list.push(r);
    else byTarget.set(r.target, [r]);
  }
  const targets: TargetCoverage[] = [];
  for (const [target, rs] of byTarget) {
    const warningCodes: Record<string, number> = {};
    const refusalCodes: Record<string, number> = {};
    for (const r of rs) {
      countCodes(r.diagnostics, 'warning', warningCodes);
      countCodes(r.diagnostics, 'error', refusalCodes);
      for (const d of r.diagnostics) codes[d.code] = codeInfo(d.code)?.summary ?? d.message;
    }
    targets.push({
      target,
      rules: rs.length,
      clean: rs.filter((r) => r.status === 'ok').length,
      warned: rs.filter((r) => r.status === 'warnings').length,
      refused: rs.filter((r) => r.status === 'refused').length,
      mapped: rs.filter((r) => r.compiled?.mapped.logsourceId !== undefined).length,
      warningCodes: sortRecord(warningCodes),
      refusalCodes: sortRecord(refusalCodes),
    });
  }
  return targets;
}

/** Rows keyed by file and document, sorted like the Markdown matrix. */
function ruleResults(results: readonly CoverageResult[]): RuleCoverage[] {
  const rows = new Map<string, { rule: CoverageResult['rule']; targets: Record<string, RuleTargetResult> }>();
  for (const r of results) {
    const key = `${r.rule.file}#${r.rule.documentIndex}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { rule: r.rule, targets: {} }));
    const codes = [...new Set(r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code))].sort();
    row.targets[r.target] = { status: r.status, codes };
  }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { rule, targets }]) => ({
      file: rule.file,
      ...(rule.documentIndex > 0 ? { document: rule.documentIndex } : {}),
      title: rule.title,
      ...(rule.id !== undefined ? { id: rule.id } : {}),
      targets,
    }));
}

const pct = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`);

export function coverageTable(report: Pick<CoverageReport, 'targets'>): string {
  const head = ['target', 'rules', 'clean', 'warned', 'refused', 'compiled', 'mapped'];
  const rows = report.targets.map((t) => [
    t.target,
    String(t.rules),
    String(t.clean),
    String(t.warned),
    String(t.refused),
    pct(t.clean + t.warned, t.rules),
    pct(t.mapped, t.rules),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), ...rows.map(line)];
  for (const t of report.targets) {
    const top = (r: Readonly<Record<string, number>>): string =>
      Object.entries(r)
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c}×${n}`)
        .join(' ');
    if (Object.keys(t.warningCodes).length) out.push(`  ${t.target} warnings: ${top(t.warningCodes)}`);
    if (Object.keys(t.refusalCodes).length) out.push(`  ${t.target} refusals: ${top(t.refusalCodes)}`);
  }
  return `${out.join('\n')}\n`;
}

/** Rules × targets matrix in Markdown: ✓ clean, ⚠ warnings (codes), ✗ refused (codes). */
export function coverageMatrix(results: readonly BuildResult[], report: CoverageReport): string {
  const targets = report.targets.map((t) => t.target);
  const rows = new Map<string, Map<string, BuildResult>>();
  for (const r of results) {
    const key = `${r.rule.file}#${r.rule.documentIndex}`;
    const row = rows.get(key) ?? new Map<string, BuildResult>();
    row.set(r.target, r);
    rows.set(key, row);
  }
  const cell = (r: BuildResult | undefined): string => {
    if (!r) return '';
    const codes = [...new Set(r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code))].join(' ');
    return r.status === 'ok' ? '✓' : r.status === 'warnings' ? `⚠ ${codes}` : `✗ ${codes}`;
  };
  const lines = [
    '# Coverage: rules × targets',
    '',
    '✓ compiled cleanly · ⚠ compiled with warnings (codes) · ✗ refused (codes)',
    '',
    coverageTable(report)
      .trimEnd()
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n'),
    '',
    `| rule | ${targets.join(' | ')} |`,
    `| --- | ${targets.map(() => '---').join(' | ')} |`,
  ];
  for (const [key, row] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const title = [...row.values()][0]!.rule.title.replace(/\|/g, '\\|');
    lines.push(`| ${title} <br>\`${key.replace(/#0$/, '')}\` | ${targets.map((t) => cell(row.get(t))).join(' | ')} |`);
  }
  lines.push('', '## Codes', '', '| code | meaning |', '| --- | --- |');
  for (const [code, summary] of Object.entries(report.codes))
    lines.push(`| ${code} | ${summary.replace(/\|/g, '\\|')} |`);
  return `${lines.join('\n')}\n`;
}
