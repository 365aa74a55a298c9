/** Entry point of the detection stage: the `detection` map of a rule → one IR tree. */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrNode } from '../ir/nodes.js';
import type { DocPath, Locator } from '../source/locator.js';
import { FALSE } from '../ir/build.js';

export interface DetectionResult {
  /** The condition with every selection substituted; FALSE when errors prevented building it. */
  readonly node: IrNode;
  /** All problems found, errors and warnings, each located in the file. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Builds the IR of a rule's `detection` map (search identifiers + `condition`), which the schema stage has
 * already checked for shape. `path` is where the map sits in the document (for locations).
 */
export function buildDetection(detection: Readonly<Record<string, unknown>>, locator: Locator, path: DocPath = ['detection']): DetectionResult {
  void detection;
  void locator;
  void path;
  return { node: FALSE, diagnostics: [] };
}
