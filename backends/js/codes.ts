/** Diagnostics of the JS predicate target. */
import { defineCodes } from '../../src/diagnostics/codes.js';

export const JS_CODES = defineCodes({
  JS001: {
    severity: 'error',
    summary:
      'regular expression the linear-time engine cannot run (backreference, look-around, too large); rule refused',
  },
  JS002: { severity: 'error', summary: 'regular expression does not compile as a JavaScript RegExp' },
  JS003: {
    severity: 'warning',
    summary: 'regular expression only compiles without the unicode flag: `.` and case folding work on UTF-16 units',
  },
  JS004: {
    severity: 'warning',
    summary: 'number beyond 2^53: JavaScript numbers cannot represent it exactly, nearby values compare equal',
  },
  JS005: { severity: 'error', summary: 'value that cannot be written into a JavaScript module (non-finite number)' },
  JS006: { severity: 'error', summary: 'CIDR network that the runtime cannot parse' },
  JS100: {
    severity: 'error',
    summary: 'correlation rule: the JS target makes per-event predicate modules; `rulec match` runs correlations',
  },
});
