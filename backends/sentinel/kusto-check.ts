/**
 * Parses and binds Kusto queries with Microsoft's language service (`@kusto/language-service-next`, the engine
 * Sentinel's CI uses; docs/reference/targets/sentinel.md §5) against the table schemas of rulec's Sentinel pipeline.
 *
 * Loading costs about 2 s and ~200 MB, so build one checker per process (or test file) and reuse it. The package
 * is a development dependency: compiling rules never loads it.
 */
import { createRequire } from 'node:module';
import type { Pipeline } from '../../src/pipeline/types.js';
import { extendTable } from './prelude.js';

export interface KustoDiagnostic {
  /** `Error`, `Warning` or `Suggestion`. */
  readonly severity: string;
  /** e.g. `KS142`. */
  readonly code: string;
  readonly message: string;
  /** 1-based line and column in the query. */
  readonly line: number;
  readonly column: number;
  /** 0-based offset into the query, and the length of the span. */
  readonly start: number;
  readonly length: number;
}

/** Table name → column name → Kusto scalar type name. */
export type TableSchemas = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface KustoChecker {
  /** Every diagnostic of parsing and binding the query (syntax and semantics). */
  diagnostics(query: string): KustoDiagnostic[];
  /** Only the diagnostics of severity `Error`. */
  errors(query: string): KustoDiagnostic[];
}

/**
 * The table schemas a pipeline declares: each logsource's `destination.table` with its `fieldTypes`. Columns the
 * query computes (`destination.extend`) are not table columns, so they stay out: a query that used one without
 * computing it would not bind.
 */
export function tablesFromPipeline(pipeline: Pipeline): Record<string, Record<string, string>> {
  const tables: Record<string, Record<string, string>> = {};
  for (const mapping of pipeline.logsources) {
    const table = mapping.destination['table'];
    if (typeof table !== 'string') continue;
    const computed = extendTable(mapping.destination);
    const columns = Object.entries(mapping.fieldTypes ?? {}).filter(([name]) => !Object.hasOwn(computed, name));
    tables[table] = { ...tables[table], ...Object.fromEntries(columns) };
  }
  return tables;
}

/* The service is a Bridge.NET build registering globals; only the few members used here are typed. */
interface BridgeList<T> {
  readonly Count: number;
  getItem(index: number): T;
}
interface LsDiagnostic {
  readonly Severity: string;
  readonly Code: string;
  readonly Message: string;
  readonly Start: number;
  readonly Length: number;
}
interface LsCode {
  GetDiagnostics(): BridgeList<LsDiagnostic>;
  TryGetLineAndOffset(position: number, line: { v: number }, column: { v: number }): boolean;
}
interface KustoLanguage {
  readonly Symbols: {
    readonly ScalarTypes: { GetSymbol(name: string): unknown };
    readonly ColumnSymbol: new (...args: unknown[]) => unknown;
    readonly TableSymbol: { readonly $ctor4: new (name: string, columns: unknown[]) => unknown };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, members: unknown[]) => unknown };
    readonly FunctionSymbol: {
      readonly $ctor16: new (name: string, parameterList: string, body: string, description?: string) => unknown;
    };
  };
  readonly GlobalState: { readonly Default: { WithDatabase(db: unknown): unknown } };
  readonly KustoCode: { ParseAndAnalyze(text: string, globals: unknown): LsCode };
}

/**
 * Functions every Sentinel workspace has besides its tables, declared with their result schema so queries using
 * them bind: `_GetWatchlist(watchlistAlias, keys)` returns a watchlist's rows with their `SearchKey` (Microsoft
 * Sentinel "Build queries or rules with watchlists"; the watchlist's own columns vary, so rulec reads a custom
 * column with `column_ifexists`).
 */
const WORKSPACE_FUNCTIONS: Readonly<Record<string, { parameters: string; body: string }>> = {
  _GetWatchlist: {
    parameters: '(watchlistAlias:string, keys:dynamic=dynamic([]))',
    body: '{ datatable(_DTItemId:string, LastUpdatedTimeUTC:datetime, SearchKey:string, WatchlistItem:dynamic)[] }',
  },
};

let language: KustoLanguage | undefined;

function loadLanguage(): KustoLanguage {
  if (language) return language;
  const require = createRequire(import.meta.url);
  // Order matters: bridge.js defines the global `Bridge` the Kusto build needs (§5).
  require('@kusto/language-service-next/bridge.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.js');
  const kusto = (globalThis as { Kusto?: { Language?: KustoLanguage } }).Kusto?.Language;
  if (!kusto) throw new Error('@kusto/language-service-next did not register Kusto.Language');
  return (language = kusto);
}

/** Lower-case KQL names as `ScalarTypes.GetSymbol` expects them (it is case-sensitive). */
function scalarType(k: KustoLanguage, type: string): unknown {
  const symbol = k.Symbols.ScalarTypes.GetSymbol(type.toLowerCase());
  if (!symbol) throw new Error(`unknown Kusto type '${type}'`);
  return symbol;
}

export function createKustoChecker(tables: TableSchemas, databaseName = 'SentinelWorkspace'): KustoChecker {
  const k = loadLanguage();
  const S = k.Symbols;
  const symbols = Object.entries(tables)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([table, columns]) =>
        new S.TableSymbol.$ctor4(
          table,
          Object.entries(columns).map(
            ([name, type]) => new S.ColumnSymbol(name, scalarType(k, type), null, null, null, null),
          ),
        ),
    );
  const functions = Object.entries(WORKSPACE_FUNCTIONS).map(
    ([name, f]) => new S.FunctionSymbol.$ctor16(name, f.parameters, f.body),
  );
  const globals = k.GlobalState.Default.WithDatabase(
    new S.DatabaseSymbol.ctor(databaseName, [...symbols, ...functions]),
  );
  const diagnostics = (query: string): KustoDiagnostic[] => {
    const code = k.KustoCode.ParseAndAnalyze(query, globals);
    const list = code.GetDiagnostics();
    const out: KustoDiagnostic[] = [];
    for (let i = 0; i < list.Count; i++) {
      const d = list.getItem(i);
      const line = { v: 0 };
      const column = { v: 0 };
      code.TryGetLineAndOffset(d.Start, line, column);
      out.push({
        severity: d.Severity,
        code: d.Code,
        message: d.Message,
        line: line.v,
        column: column.v,
        start: d.Start,
        length: d.Length,
      });
    }
    return out;
  };
  return {
    diagnostics,
    errors: (query) => diagnostics(query).filter((d) => d.severity === 'Error'),
  };
}
