import { defineCodes } from './codes.js';

/** RC99x: the command line itself (exit code 2). */
export const USAGE_CODES = defineCodes({
  RC990: { severity: 'error', summary: 'the command line is not valid (unknown option, missing argument)' },
  RC991: { severity: 'error', summary: 'unknown or ambiguous target name' },
  RC992: { severity: 'error', summary: 'unknown output format' },
  RC993: { severity: 'error', summary: 'the command needs a target (-t, --target)' },
});
