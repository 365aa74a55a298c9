/**
 * Diagnostic codes of the detection stage: RC2xx for search identifiers, values and modifiers, RC3xx for the
 * condition. Registered once at import; the catalogue lives in ./codes.ts.
 */
import { defineCodes } from './codes.js';

export const DETECTION_CODES = defineCodes({
  RC201: { severity: 'error', summary: 'unknown value modifier' },
  RC202: { severity: 'error', summary: 'modifier used in a position or combination where it has no meaning' },
  RC203: { severity: 'error', summary: 'value of the wrong type for the field or modifier' },
  RC204: { severity: 'error', summary: 'regular expression does not compile' },
  RC205: { severity: 'error', summary: 'inline regex flags other than a leading (?i), (?m) or (?s) group' },
  RC206: { severity: 'error', summary: 'invalid CIDR network' },
  RC207: { severity: 'error', summary: 'CIDR network has host bits set' },
  RC208: { severity: 'error', summary: 'wildcards are not allowed with this modifier' },
  RC209: { severity: 'error', summary: 'placeholder cannot be resolved (no placeholder configuration)' },
  RC210: { severity: 'warning', summary: 'YAML 1.1 boolean string accepted as a boolean' },
  RC211: { severity: 'error', summary: 'value out of range for the modifier' },
  RC212: { severity: 'warning', summary: 'same modifier given twice' },
  RC213: { severity: 'warning', summary: 'modifier has no effect here' },
  RC214: {
    severity: 'warning',
    summary: 'regular expression is only valid without the unicode flag; kept as a non-unicode regex',
  },
  RC215: { severity: 'error', summary: 'search identifier or field value has an unsupported shape' },
  RC216: { severity: 'error', summary: 'empty list of values' },
  RC217: { severity: 'warning', summary: 'search identifier name has characters outside [A-Za-z0-9_-]' },
  RC218: {
    severity: 'warning',
    summary: 'base64offset without contains: the encoded fragments only match inside a value',
  },
  RC219: { severity: 'warning', summary: 'obsolete detection key ignored' },
  RC220: { severity: 'error', summary: 'modifier needs a field and cannot be used in a keyword search' },
  RC301: { severity: 'error', summary: 'condition syntax error' },
  RC302: { severity: 'error', summary: 'unbalanced parentheses in the condition' },
  RC303: { severity: 'error', summary: 'condition names an undefined search identifier' },
  RC304: { severity: 'error', summary: 'identifier pattern in the condition matches no search identifier' },
  RC305: { severity: 'error', summary: 'unsupported quantifier: only 1, any and all are allowed before "of"' },
  RC306: { severity: 'error', summary: 'pipe aggregation in the condition is obsolete; use a correlation rule' },
  RC307: { severity: 'warning', summary: 'search identifier not used by the condition' },
  RC308: { severity: 'error', summary: 'missing or empty condition' },
  RC309: {
    severity: 'warning',
    summary: 'upper-case condition operator; accepted, but pySigma only accepts lower case',
  },
});
