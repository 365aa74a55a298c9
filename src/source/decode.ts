/** Turns the bytes of a rule file into text, refusing what is not a text file before YAML ever sees it. */
import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** Rule files are small; anything bigger is a mistake (a log, an archive) and would only slow the parser. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

export type DecodeResult = { readonly text: string; readonly diagnostics: [] } | { readonly diagnostics: [Diagnostic] };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks size, NUL bytes and UTF-8; strips a byte-order mark. Strings are checked for size and NUL only. */
export function decodeSource(file: string, content: Buffer | Uint8Array | string): DecodeResult {
  const size = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
  if (size > MAX_SOURCE_BYTES) {
    return fail(file, 'RC005', `file is ${size} bytes, more than the ${MAX_SOURCE_BYTES}-byte limit for a rule file`);
  }
  if (typeof content !== 'string') {
    const nul = content.indexOf(0);
    if (nul >= 0) return fail(file, 'RC003', `file contains a NUL byte at byte ${nul}; it looks binary, not YAML`);
    const bytes = content;
    try {
      content = utf8.decode(bytes);
    } catch {
      return fail(file, 'RC004', `file is not valid UTF-8 (at byte ${firstInvalidUtf8(bytes)})`);
    }
  } else if (content.includes('\0')) {
    return fail(
      file,
      'RC003',
      `file contains a NUL character at offset ${content.indexOf('\0')}; it looks binary, not YAML`,
    );
  }
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const cr = text.search(/\r(?!\n)/);
  if (cr >= 0) return { diagnostics: [loneCarriageReturn(file, text, cr)] };
  return { text, diagnostics: [] };
}

/**
 * A CR not followed by LF. YAML 1.2 reads it as a line break but the YAML library and every code frame read only
 * LF, so a classic-Mac file (CR only) parsed as one comment line ("no YAML document"). Refused with a message that
 * says what to do rather than parsed one way and shown another.
 */
function loneCarriageReturn(file: string, text: string, at: number): Diagnostic {
  if (!text.includes('\n')) {
    return {
      code: 'RC037',
      severity: 'error',
      message:
        'file uses carriage returns (CR) alone as line breaks (classic Mac OS); save it with LF or CRLF line breaks',
      file,
    };
  }
  const lineStart = text.lastIndexOf('\n', at) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  const col = at - lineStart + 1;
  return {
    code: 'RC037',
    severity: 'error',
    message: 'carriage return (CR) without a line feed; rule files use LF or CRLF line breaks',
    file,
    span: { start: { offset: at, line, col }, end: { offset: at + 1, line, col: col + 1 } },
  };
}

function fail(file: string, code: string, message: string): { diagnostics: [Diagnostic] } {
  return { diagnostics: [{ code, severity: 'error', message, file }] };
}

/** Byte index of the first invalid UTF-8 sequence, for a message a person can act on. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.byteLength;
  // Binary search on prefix validity; a prefix cut inside a valid sequence decodes as invalid, so widen by 3.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (validPrefix(bytes, mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function validPrefix(bytes: Uint8Array, end: number): boolean {
  for (let cut = end; cut <= Math.min(end + 3, bytes.byteLength); cut++) {
    try {
      utf8.decode(bytes.subarray(0, cut));
      return true;
    } catch {
      // try a slightly longer prefix: `end` may fall inside a multi-byte character
    }
  }
  return false;
}
