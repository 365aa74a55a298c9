/**
 * Reads a compiled query back with the test-only evaluator of its language (never the compiler's IR). Throws
 * QueryParseError when the query leaves the language subset the evaluator models.
 */
import type { TargetResult } from '../../src/compile.js';
import * as eql from './evaluators/eql.js';
import * as kql from './evaluators/kql.js';
import * as kusto from './evaluators/kusto.js';
import * as spl from './evaluators/spl.js';

export type Evaluator = (event: Record<string, unknown>) => boolean;

export interface ReaderOptions {
  /** Kusto only: the table's columns (a Kusto query is typed by its table). */
  readonly kustoColumns: Readonly<Record<string, kusto.KustoType>>;
  /** Kusto only: the query text to evaluate, when a caller models part of it otherwise (computed columns). */
  readonly kustoText?: (query: string) => string;
}

export function readQuery(result: TargetResult, options: ReaderOptions): Evaluator {
  const { query, language } = result.compiled!.query;
  switch (language) {
    case 'kuery': {
      const ast = kql.parse(query);
      const types = result.compiled!.mapped.fieldTypes;
      return (e) => kql.evaluate(ast, e, types);
    }
    case 'eql': {
      const ast = eql.parse(query);
      return (e) => eql.evaluate(ast, e);
    }
    case 'kql': {
      const ast = kusto.parse(options.kustoText ? options.kustoText(query) : query);
      return (e) => kusto.evaluate(ast, e, { columns: options.kustoColumns });
    }
    case 'spl': {
      const ast = spl.parse(query);
      return (e) => spl.evaluate(ast, e);
    }
  }
  throw new Error(`no evaluator for ${result.target} language ${language}`);
}
