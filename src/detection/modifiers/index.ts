/** The registry of value modifiers, by name (spec v2.1.0 plus pySigma's regex-flag aliases). */
import { contains, endswith, startswith } from './affix.js';
import { all } from './all.js';
import { base64 } from './base64.js';
import { base64offset } from './base64offset.js';
import { cased } from './cased.js';
import { cidr } from './cidr.js';
import { gt, gte, lt, lte } from './compare.js';
import { exists } from './exists.js';
import { expand } from './expand.js';
import { fieldref } from './fieldref.js';
import { neq } from './neq.js';
import { re } from './re.js';
import { dotall, i, ignorecase, m, multiline, s } from './regex-flags.js';
import { day, hour, minute, month, week, year } from './time-part.js';
import type { ModifierDef } from './types.js';
import { utf16, utf16be, utf16le, wide } from './utf16.js';
import { windash } from './windash.js';

export const MODIFIERS: ReadonlyMap<string, ModifierDef> = new Map(
  [
    contains,
    startswith,
    endswith,
    all,
    exists,
    cased,
    neq,
    windash,
    re,
    i,
    ignorecase,
    m,
    multiline,
    s,
    dotall,
    base64,
    base64offset,
    utf16le,
    utf16be,
    utf16,
    wide,
    lt,
    lte,
    gt,
    gte,
    minute,
    hour,
    day,
    week,
    month,
    year,
    cidr,
    expand,
    fieldref,
  ].map((def) => [def.name, def]),
);

export type { ItemFlags, ModifierDef, ApplyContext } from './types.js';
