import { defineCodes } from './codes.js';

/** RC9xx: build, I/O and internal failures. */
export const BUILD_CODES = defineCodes({
  RC901: { severity: 'error', summary: 'internal error while rendering a query (a bug in rulec: please report it)' },
  RC902: { severity: 'error', summary: 'an artifact could not be rendered safely for this target' },
  RC903: { severity: 'error', summary: 'a file could not be read' },
  RC904: { severity: 'error', summary: 'dist-rules is stale: a generated file differs from a fresh build' },
  RC905: { severity: 'error', summary: 'two rules generate the same artifact file: rule ids must be unique' },
});
