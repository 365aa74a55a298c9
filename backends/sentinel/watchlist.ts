/**
 * Placeholders resolved through a Microsoft Sentinel watchlist: `field in~ (_GetWatchlist("alias") | project
 * SearchKey)`. `_GetWatchlist` is the workspace function Sentinel provides for watchlists (its rows carry the
 * watchlist's search key as `SearchKey`, and each column of the uploaded file). `in~` compares case-insensitively as
 * Sigma does (`in` for `cased`); a tabular expression is a valid right-hand side of `in~`/`in`. A configured
 * `column` other than the search key is read with `column_ifexists`, since a watchlist's own columns are not part
 * of the function's declared schema, as text (`tostring`) so it compares with the string operand.
 */
import { SENTINEL_LIST_REFERENCES } from './target.js';
import { stringLiteral } from './kusto-literals.js';

// Declared with the target's descriptor (./target.ts), which the command line reads without loading the backend.
export { SENTINEL_LIST_REFERENCES };

/** The tabular expression of the watchlist's values; the caller has checked `alias` against the kind's pattern. */
export function watchlistValues(alias: string, column: string | undefined): string {
  const values = column === undefined ? 'SearchKey' : `tostring(column_ifexists(${stringLiteral(column)}, ""))`;
  return `_GetWatchlist(${stringLiteral(alias)}) | project ${values}`;
}
