/** Entry point of the detection stage: the `detection` map of a rule → one IR tree. */
import type { CodeInfo } from '../diagnostics/codes.js';
import { DETECTION_CODES as C } from '../diagnostics/detection-codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrNode } from '../ir/nodes.js';
import type { DocPath, Locator } from '../source/locator.js';
import { FALSE, or } from '../ir/build.js';
import { parseCondition } from '../condition/parser.js';
import type { ConditionProblemKind } from '../condition/parser.js';
import { resolveCondition } from '../condition/resolve.js';
import { conditionSpanner } from './condition-location.js';
import { Reporter } from './reporter.js';
import { buildSearch } from './search.js';
import { suggest } from './suggest.js';

export interface DetectionResult {
  /** The condition with every selection substituted; FALSE when errors prevented building it. */
  readonly node: IrNode;
  /** All problems found, errors and warnings, each located in the file. */
  readonly diagnostics: readonly Diagnostic[];
}

const PROBLEM_CODES: Readonly<Record<ConditionProblemKind, CodeInfo>> = {
  syntax: C.RC301,
  parens: C.RC302,
  quantifier: C.RC305,
  aggregation: C.RC306,
  uppercase: C.RC309,
};

/** Names pySigma's condition grammar can reference; others still work through `x of` patterns. */
const PLAIN_NAME = /^[A-Za-z0-9_-]+$/;

/** Builds every search identifier (all are checked, used or not), in declaration order. */
function buildSelections(
  detection: Readonly<Record<string, unknown>>,
  path: DocPath,
  reporter: Reporter,
): Map<string, IrNode | undefined> {
  const selections = new Map<string, IrNode | undefined>();
  for (const [name, value] of Object.entries(detection)) {
    if (name === 'condition') continue;
    const keyPath = [...path, name];
    if (name === 'timeframe') {
      reporter.atKey(C.RC219, `'timeframe' in a detection is obsolete and ignored; use a correlation rule`, keyPath);
      continue;
    }
    if (!PLAIN_NAME.test(name)) {
      const hint = name.includes('|') ? ` (a modifier belongs on a field, not on the identifier)` : '';
      reporter.atKey(C.RC217, `search identifier '${name}' has characters outside [A-Za-z0-9_-]${hint}`, keyPath);
    }
    selections.set(name, buildSearch(value, keyPath, reporter));
  }
  return selections;
}

/** Parses and resolves one condition string; undefined after errors, null when it did not even parse. */
function buildCondition(
  text: string,
  conditionPath: DocPath,
  selections: ReadonlyMap<string, IrNode | undefined>,
  used: Set<string>,
  reporter: Reporter,
): IrNode | undefined | null {
  const spanOf = conditionSpanner(reporter.locator, conditionPath, text);
  const report = (code: CodeInfo, message: string, start: number, end: number, label?: string): void => {
    const { span, exact } = spanOf(start, end);
    const where = exact ? '' : ` (column ${start + 1} of the condition)`;
    reporter.report(code, message + where, span, label === undefined ? {} : { label });
  };
  const parsed = parseCondition(text);
  for (const p of parsed.problems) report(PROBLEM_CODES[p.kind], p.message, p.start, p.end);
  if (parsed.ast === undefined) return null;
  const resolved = resolveCondition(parsed.ast, selections);
  for (const name of resolved.used) used.add(name);
  for (const p of resolved.problems) {
    if (p.kind === 'undefined') {
      const hint = suggest(p.name, selections.keys());
      report(C.RC303, `undefined search identifier '${p.name}'`, p.start, p.end, hint && `did you mean '${hint}'?`);
    } else {
      report(C.RC304, `'${p.name}' matches no search identifier`, p.start, p.end);
    }
  }
  return resolved.problems.length === 0 ? resolved.node : undefined;
}

/**
 * Builds the IR of a rule's `detection` map (search identifiers + `condition`), which the schema stage has
 * already checked for shape. `path` is where the map sits in the document (for locations).
 */
export function buildDetection(
  detection: Readonly<Record<string, unknown>>,
  locator: Locator,
  path: DocPath = ['detection'],
): DetectionResult {
  const reporter = new Reporter(locator);
  const selections = buildSelections(detection, path, reporter);
  const condition = detection['condition'];
  const conditionPath = [...path, 'condition'];
  const texts: { text: string; path: DocPath }[] = [];
  if (typeof condition === 'string') {
    texts.push({ text: condition, path: conditionPath });
  } else if (Array.isArray(condition) && condition.length > 0) {
    // A list of conditions means several queries, OR-linked.
    condition.forEach((c: unknown, index) => {
      const itemPath = [...conditionPath, index];
      if (typeof c === 'string') texts.push({ text: c, path: itemPath });
      else reporter.at(C.RC308, `a condition must be a string`, itemPath);
    });
  } else {
    const missing = condition === undefined;
    reporter.report(
      C.RC308,
      missing ? `the detection has no condition` : `the condition must be a string or a list of strings`,
      missing ? locator.span(path, 'key') : locator.span(conditionPath),
    );
  }
  const used = new Set<string>();
  const nodes: IrNode[] = [];
  let usageKnown = texts.length > 0;
  for (const { text, path: p } of texts) {
    const node = buildCondition(text, p, selections, used, reporter);
    if (node === null) usageKnown = false;
    else if (node !== undefined) nodes.push(node);
  }
  // After a syntax error the names the condition uses are unknown, so "unused" would be noise.
  if (usageKnown) {
    for (const name of selections.keys()) {
      if (!used.has(name))
        reporter.atKey(C.RC307, `search identifier '${name}' is not used by the condition`, [...path, name]);
    }
  }
  const node = reporter.errorCount > 0 || nodes.length === 0 ? FALSE : or(nodes);
  return { node, diagnostics: reporter.diagnostics };
}
