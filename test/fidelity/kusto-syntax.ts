/**
 * The real Kusto parser decides syntax: runs Microsoft's language service (`@kusto/language-service-next`, the
 * engine Sentinel's CI uses; sentinel.md §5) on a query bound against one table's schema and returns its error
 * diagnostics. The service is loaded once per test worker, lazily (≈1–4 s), and the globals are cached per schema.
 *
 * Only a minimal structural type of the Bridge.NET API is declared here: the package's own 1.7 MB `.d.ts` would
 * slow every typecheck for the handful of members used.
 */
import { createRequire } from 'node:module';

export interface KustoDiagnostic {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  /** 0-based offset into the query. */
  readonly start: number;
  readonly length: number;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
}

/** Column name → Kusto scalar type name (`string`, `long`, `datetime`, `bool`, `dynamic`, …). */
export type TableSchema = Readonly<Record<string, string>>;

interface BridgeList<T> {
  readonly Count: number;
  getItem(index: number): T;
}
interface BridgeDiagnostic {
  readonly Severity: string;
  readonly Code: string;
  readonly Message: string;
  readonly Start: number;
  readonly Length: number;
}
interface KustoCode {
  GetDiagnostics(): BridgeList<BridgeDiagnostic>;
  TryGetLineAndOffset(position: number, line: { v: number }, offset: { v: number }): boolean;
}
interface KustoLanguage {
  readonly Symbols: {
    readonly ColumnSymbol: new (name: string, type: unknown, ...rest: null[]) => unknown;
    readonly ScalarTypes: { GetSymbol(name: string): unknown };
    readonly TableSymbol: { readonly $ctor4: new (name: string, columns: unknown[]) => unknown };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, members: unknown[]) => unknown };
  };
  readonly GlobalState: { readonly Default: { WithDatabase(db: unknown): unknown } };
  readonly KustoCode: { ParseAndAnalyze(text: string, globals: unknown): KustoCode };
}

let language: KustoLanguage | undefined;
const globalsCache = new Map<string, unknown>();

function load(): KustoLanguage {
  if (language) return language;
  const require = createRequire(import.meta.url);
  // Order matters: bridge.js defines the global `Bridge` that the Kusto bundle registers itself into.
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const root = (globalThis as unknown as { Kusto?: { Language?: KustoLanguage } }).Kusto;
  if (!root?.Language) throw new Error('@kusto/language-service-next did not register the global Kusto.Language');
  language = root.Language;
  return language;
}

function globalsFor(table: string, schema: TableSchema): unknown {
  const key = JSON.stringify([table, Object.entries(schema)]);
  const cached = globalsCache.get(key);
  if (cached) return cached;
  const K = load();
  const S = K.Symbols;
  const columns = Object.entries(schema).map(([name, type]) => {
    const symbol = S.ScalarTypes.GetSymbol(type);
    if (!symbol) throw new Error(`unknown Kusto type ${type} for column ${name}`);
    return new S.ColumnSymbol(name, symbol, null, null, null, null);
  });
  const tableSymbol = new S.TableSymbol.$ctor4(table, columns);
  const db = new S.DatabaseSymbol.ctor('FidelityWorkspace', [tableSymbol]);
  const globals = K.GlobalState.Default.WithDatabase(db);
  globalsCache.set(key, globals);
  return globals;
}

/** Parses and binds `query` against a database holding one table; returns every diagnostic (all severities). */
export function kustoDiagnostics(query: string, table: string, schema: TableSchema): KustoDiagnostic[] {
  const K = load();
  const code = K.KustoCode.ParseAndAnalyze(query, globalsFor(table, schema));
  const list = code.GetDiagnostics();
  const out: KustoDiagnostic[] = [];
  for (let i = 0; i < list.Count; i++) {
    const d = list.getItem(i);
    const line = { v: 0 };
    const column = { v: 0 };
    code.TryGetLineAndOffset(d.Start, line, column);
    out.push({
      severity: String(d.Severity),
      code: d.Code,
      message: d.Message,
      start: d.Start,
      length: d.Length,
      line: line.v,
      column: column.v,
    });
  }
  return out;
}

/** The error diagnostics only: an empty list means the real parser and binder accept the query. */
export function kustoErrors(query: string, table: string, schema: TableSchema): KustoDiagnostic[] {
  return kustoDiagnostics(query, table, schema).filter((d) => d.severity === 'Error');
}
