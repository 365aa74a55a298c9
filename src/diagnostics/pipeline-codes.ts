import { defineCodes } from './codes.js';

/** RC4xx: pipeline and mapping (the target-agnostic part; targets add their own). */
export const PIPELINE_CODES = defineCodes({
  RC401: {
    severity: 'warning',
    summary: "no mapping for the rule's logsource in this target: compiled with the rule's own field names",
  },
  RC402: { severity: 'error', summary: 'a field of the rule has no counterpart in the target for this logsource' },
  RC403: { severity: 'error', summary: "a field of the rule does not exist in the target's data for this logsource" },
  RC404: {
    severity: 'warning',
    summary: 'a value of a value-mapped field has no mapping: kept as written, it may never match',
  },
  RC405: {
    severity: 'warning',
    summary: 'a wildcard, regex or other non-exact test on a value-mapped field is compared with unmapped values',
  },
  // RC420 onwards: mapping findings of the built-in pipelines (RC406–RC419 are the user pipelines' below).
  RC420: {
    severity: 'error',
    summary: 'two fields a rule tests together for different values map onto one target field, which cannot hold both',
  },
});

/** RC406–RC419: user pipelines, profiles and per-rule overrides that go through the mapping. */
export const USER_PIPELINE_CODES = defineCodes({
  RC406: {
    severity: 'error',
    summary: "a rule's targets.<target> override asks for a destination no pipeline entry maps its logsource onto",
  },
  RC407: { severity: 'error', summary: "a rule's targets.<target> destination override has the wrong type" },
  RC408: { severity: 'error', summary: 'a pipeline entry with a new id has no `when`, so it would apply to nothing' },
  RC409: { severity: 'error', summary: 'a pipeline file lists the same logsource id twice' },
  RC410: { severity: 'error', summary: 'a pipeline destination key the target does not understand' },
  RC411: {
    severity: 'error',
    summary: 'two pipeline files of the same layer map one field to different target fields',
  },
});
