/** Test helpers: a small Locator over `yaml`'s parseDocument + LineCounter, and a shortcut to build detections. */
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Span } from '../../src/diagnostics/diagnostic.js';
import { buildDetection } from '../../src/detection/index.js';
import type { DetectionResult } from '../../src/detection/index.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { patternToSigma } from '../../src/ir/pattern.js';
import type { DocPath, Locator, ScalarInfo } from '../../src/source/locator.js';

export function makeLocator(text: string, doc: Document, lineCounter: LineCounter, file = 'rule.yml'): Locator {
  const spanAt = (start: number, end: number): Span => {
    const s = lineCounter.linePos(start);
    const e = lineCounter.linePos(end);
    return { start: { offset: start, line: s.line, col: s.col }, end: { offset: end, line: e.line, col: e.col } };
  };
  /** The node at the path and, for map entries, its key node; stops at the nearest existing ancestor. */
  const find = (path: DocPath): { node: Node | null; key?: Node; exact: boolean } => {
    let node = doc.contents as Node | null;
    let key: Node | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
        if (pair === undefined) return { node, exact: false };
        key = pair.key as Node;
        node = pair.value as Node | null;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        key = undefined;
        node = node.items[segment] as Node;
      } else {
        return { node, exact: false };
      }
    }
    return key === undefined ? { node, exact: true } : { node, key, exact: true };
  };
  return {
    file,
    span(path, part = 'value') {
      const found = find(path);
      const target = part === 'key' && found.exact && found.key !== undefined ? found.key : (found.node ?? found.key);
      const range = target?.range;
      return range ? spanAt(range[0], range[1]) : undefined;
    },
    scalar(path): ScalarInfo | undefined {
      const found = find(path);
      if (!found.exact || !isScalar(found.node) || !found.node.range) return undefined;
      const [start, end] = found.node.range;
      return {
        span: spanAt(start, end),
        type: (found.node.type ?? 'PLAIN') as ScalarInfo['type'],
        source: text.slice(start, end),
      };
    },
    spanAt,
  };
}

export function loadRule(text: string, file = 'rule.yml'): { data: Record<string, unknown>; locator: Locator } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core' });
  if (doc.errors.length > 0) throw new Error(`bad test YAML: ${doc.errors[0]!.message}`);
  return { data: doc.toJS() as Record<string, unknown>, locator: makeLocator(text, doc, lineCounter, file) };
}

/** Builds the detection of a YAML rule text (or of a bare `detection:` block). */
export function detect(text: string): DetectionResult {
  const { data, locator } = loadRule(text);
  return buildDetection(data['detection'] as Record<string, unknown>, locator);
}

export function errorsOf(result: DetectionResult): string[] {
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
}

/** `CODE line:col` of every diagnostic, for exact-location assertions. */
export function where(result: DetectionResult): string[] {
  return result.diagnostics.map((d) => `${d.code} ${d.span?.start.line ?? '?'}:${d.span?.start.col ?? '?'}`);
}

/** A compact, readable form of an IR tree for shape assertions. */
export function show(node: IrNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `${node.kind}(${node.children.map(show).join(', ')})`;
    case 'not':
      return `not(${show(node.child)})`;
    case 'const':
      return String(node.value);
    case 'stringMatch':
      return `${node.field}${node.cased ? '==' : '='}"${patternToSigma(node.pattern)}"`;
    case 'numberMatch':
      return `${node.field}=#${node.value}`;
    case 'boolMatch':
      return `${node.field}=${String(node.value)}`;
    case 'nullMatch':
      return `${node.field}=null`;
    case 'exists':
      return `exists(${node.field})`;
    case 'regexMatch': {
      const f = node.flags;
      return `${node.field}=~/${node.source}/${f.ignoreCase ? 'i' : ''}${f.multiline ? 'm' : ''}${f.dotAll ? 's' : ''}`;
    }
    case 'cidrMatch':
      return `${node.field} in ${node.network}/${node.prefixLength}`;
    case 'compare':
      return `${node.field} ${node.op} ${node.value}`;
    case 'fieldRef':
      return `${node.field}${node.cased ? '==' : '='}@${node.otherField}`;
    case 'timePart':
      return `${node.part}(${node.field})=${node.value}`;
    case 'keyword':
      return `kw${node.cased ? '!' : ''}("${patternToSigma(node.pattern)}")`;
    case 'inList':
      return `${node.field} in ${node.list.kind}:${node.list.name}`;
  }
}

/** Builds `detection:` from an indented block of selection lines plus a condition. */
export function sel(body: string, condition = 'sel'): DetectionResult {
  return detect(`detection:\n  sel:\n${body.replace(/^/gm, '    ')}\n  condition: ${condition}\n`);
}
