/** RC970–RC979: a rule's own test cases (`tests:`), in particular the event files they name. */
import { defineCodes } from '../diagnostics/codes.js';

export const RULETEST_CODES = defineCodes({
  RC970: {
    severity: 'error',
    summary: "a test's event file resolves outside the rule's folder (after following symlinks); it is not read",
  },
  RC971: {
    severity: 'error',
    summary: "a test's event file is not a regular file (a folder, FIFO, socket or device); it is not read",
  },
  RC972: { severity: 'error', summary: "a test's event file is larger than the size limit; it is not read" },
  RC973: { severity: 'error', summary: "a test's event file does not exist or cannot be read" },
});
