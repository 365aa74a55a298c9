/**
 * The real Kusto parser decides syntax: Microsoft's language service (`@kusto/language-service-next`, the engine
 * Sentinel's CI uses; docs/reference/targets/sentinel.md §5) parses and binds a query against one table's schema. The service is loaded
 * once per test worker through the Sentinel target's checker, with one checker cached per schema.
 */
import { createKustoChecker, type KustoChecker, type KustoDiagnostic } from '../../backends/sentinel/kusto-check.js';

export type { KustoDiagnostic };

/** Column name → Kusto scalar type name (`string`, `long`, `datetime`, `bool`, `dynamic`, …). */
export type TableSchema = Readonly<Record<string, string>>;

const checkers = new Map<string, KustoChecker>();

function checker(table: string, schema: TableSchema): KustoChecker {
  const key = JSON.stringify([table, Object.entries(schema)]);
  let found = checkers.get(key);
  if (!found) checkers.set(key, (found = createKustoChecker({ [table]: schema }, 'FidelityWorkspace')));
  return found;
}

/** Parses and binds `query` against a database holding one table; returns every diagnostic (all severities). */
export function kustoDiagnostics(query: string, table: string, schema: TableSchema): KustoDiagnostic[] {
  return checker(table, schema).diagnostics(query);
}

/** The error diagnostics only: an empty list means the real parser and binder accept the query. */
export function kustoErrors(query: string, table: string, schema: TableSchema): KustoDiagnostic[] {
  return checker(table, schema).errors(query);
}
