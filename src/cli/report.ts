/** Prints diagnostics for people (code frames) or machines (JSON). */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { sortDiagnostics } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import type { CliIo } from './io.js';

export function printDiagnostics(
  io: CliIo,
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
): void {
  for (const d of sortDiagnostics(diagnostics))
    io.stderr(`${formatDiagnostic(d, d.file ? sources.get(d.file) : undefined)}\n`);
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
