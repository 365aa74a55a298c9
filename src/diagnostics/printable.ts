/**
 * Text from a rule or an event (titles, test names, field names, file names, source lines) is printed to terminals.
 * Control characters in it are commands to the terminal, not text: ESC[2K + CR erases a `FAIL` line and writes a
 * fake `PASS`, OSC 52 sets the clipboard, a newline starts a line that looks like rulec's own. `printable` shows
 * them as visible escapes instead. Every place that prints such text goes through it.
 */

/**
 * C0 controls except tab (a tab only moves the cursor; code frames keep it for alignment), DEL, C1 controls (8-bit
 * CSI, OSC…), the Unicode line and paragraph separators, and the bidirectional embedding, override and isolate
 * controls (U+202A–U+202E, U+2066–U+2069), which reorder what is shown after them ("Trojan Source").
 */
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const ALL_UNPRINTABLE = new RegExp(UNPRINTABLE.source, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r' };

/** `text` with every terminal control character shown as `\n`, `\r`, `\xHH` or `\uHHHH`; other text unchanged. */
export function printable(text: string): string {
  if (!UNPRINTABLE.test(text)) return text;
  return text.replace(ALL_UNPRINTABLE, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
