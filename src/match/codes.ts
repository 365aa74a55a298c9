/** RC95x: reading events and running rules on them (`rulec match`, `rulec test`). */
import { defineCodes } from '../diagnostics/codes.js';

export const MATCH_CODES = defineCodes({
  RC950: { severity: 'error', summary: 'event input could not be read' },
  RC951: { severity: 'warning', summary: 'event input holds malformed JSON (the value is skipped)' },
  RC952: { severity: 'warning', summary: 'the predicate target cannot evaluate the rule (it is skipped)' },
  RC953: { severity: 'warning', summary: 'rule has no tests' },
  RC954: { severity: 'error', summary: 'rule test case is invalid (its event file cannot be read or is empty)' },
});
