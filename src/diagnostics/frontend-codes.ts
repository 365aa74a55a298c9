/** Codes of the front half of the compiler: reading files (RC0xx) and checking rules against the schema (RC1xx). */
import { defineCodes } from './codes.js';

export const FRONTEND_CODES = defineCodes({
  // RC0xx: the file and its YAML.
  RC001: { severity: 'error', summary: 'file could not be read' },
  RC002: { severity: 'error', summary: 'file is empty or holds only comments' },
  RC003: { severity: 'error', summary: 'file is binary (contains NUL bytes)' },
  RC004: { severity: 'error', summary: 'file is not valid UTF-8 text' },
  RC005: { severity: 'error', summary: 'file is larger than the size limit' },
  RC010: { severity: 'error', summary: 'YAML syntax error' },
  RC011: { severity: 'error', summary: 'duplicate key in a YAML map' },
  RC012: { severity: 'warning', summary: 'YAML warning' },
  RC013: { severity: 'error', summary: 'YAML nesting deeper than the depth limit' },
  RC014: { severity: 'error', summary: 'YAML alias expands to too much data' },
  RC015: { severity: 'error', summary: 'a YAML map key is a list or a map, which a rule cannot use' },
  RC030: { severity: 'error', summary: 'a path given on the command line does not exist' },
  RC031: { severity: 'error', summary: 'the paths given hold no rule file' },
  // RC032–RC049: walking a rules folder and the shape of a rule file's text (issue 11 §2, §13).
  RC032: { severity: 'warning', summary: 'a symlink in a rules folder leads outside the folder given; not followed' },
  RC033: { severity: 'warning', summary: 'a symlink in a rules folder points to nothing; skipped' },
  RC034: { severity: 'warning', summary: 'a symlink loop in a rules folder; not followed again' },
  RC035: { severity: 'warning', summary: 'a FIFO, socket or device named like a rule file; never opened' },
  RC036: { severity: 'warning', summary: 'a folder under the paths given cannot be listed; its rules are skipped' },
  RC037: { severity: 'error', summary: 'file has carriage-return (CR) line breaks without a line feed' },
  RC038: { severity: 'warning', summary: 'a key under `targets:` names no registered target; it is ignored' },
  RC020: { severity: 'error', summary: 'rule document is not a map (a list, a scalar or empty)' },
  // RC1xx: the rule document against schema/rule.schema.json.
  RC101: { severity: 'error', summary: 'required field missing' },
  RC102: { severity: 'error', summary: 'value has the wrong type' },
  RC103: { severity: 'error', summary: 'value is not one of the allowed values' },
  RC104: { severity: 'error', summary: 'value does not have the required format' },
  RC105: { severity: 'error', summary: 'unknown key where only known keys are allowed' },
  RC106: { severity: 'error', summary: 'value is out of range or of the wrong length' },
  RC107: { severity: 'error', summary: 'list holds the same item twice' },
  RC108: { severity: 'error', summary: 'value matches none of the allowed shapes' },
  RC109: { severity: 'error', summary: 'value breaks a schema rule' },
  RC120: { severity: 'warning', summary: 'unknown top-level key close to a known one (likely a typo)' },
  RC124: { severity: 'warning', summary: 'a date written YYYY/MM/DD is read as the ISO day it names (YYYY-MM-DD)' },
  // RC121–RC139: warnings about what a rule means for its deployment (rulec validate).
  RC121: {
    severity: 'warning',
    summary: 'the schedule looks back less than its interval: every target searches the whole interval instead',
  },
  RC122: { severity: 'warning', summary: 'a logsource value that no target pipeline knows (likely a typo)' },
  // A failed case of a rule's own `tests:` as a result for machines (`rulec test --format sarif`).
  RC139: { severity: 'error', summary: "a test case of the rule's `tests:` failed (rulec test)" },
  RC123: {
    severity: 'warning',
    summary: "a field name that no target pipeline knows for the rule's logsource, close to one that it knows",
  },
});

export type FrontendCode = keyof typeof FRONTEND_CODES;
