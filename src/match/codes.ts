/** RC95x and RC98x: reading events and running rules on them (`rulec match`, `rulec test`). */
import { defineCodes } from '../diagnostics/codes.js';

export const MATCH_CODES = defineCodes({
  RC950: { severity: 'error', summary: 'event input could not be read' },
  RC951: { severity: 'warning', summary: 'event input holds malformed JSON (the value is skipped)' },
  RC952: { severity: 'warning', summary: 'the predicate target cannot evaluate the rule (it is skipped)' },
  RC953: { severity: 'warning', summary: 'rule has no tests' },
  RC954: { severity: 'error', summary: 'rule test case is invalid (its event file cannot be read or is empty)' },
  RC955: { severity: 'error', summary: 'a file given as a rule holds events (JSON, NDJSON or gzip), not a rule' },
  RC956: { severity: 'error', summary: 'no event was read from the inputs' },
  RC957: { severity: 'error', summary: 'matches could not be written (the output failed or was closed)' },
  RC958: { severity: 'warning', summary: 'event input holds invalid UTF-8 (replaced by U+FFFD)' },
  RC959: {
    severity: 'warning',
    summary: 'a JSON value in an event input is longer than the size limit (it is skipped)',
  },
  RC980: {
    severity: 'warning',
    summary: 'a JSON value in an event input is cut off (reading resumes at the next line or document)',
  },
  RC981: { severity: 'error', summary: 'an event input folder holds no event file' },
  RC982: {
    severity: 'warning',
    summary: 'an event is nested so deeply that evaluating rules on it exhausts the stack (it is skipped)',
  },
});
