/**
 * CIDR parsing and normalisation for `|cidr`: IPv4 (`10.0.0.0/8`) and IPv6 (`fe80::/10`, RFC 5952 output).
 * A bare address is a host network (/32, /128). Host bits set is an error (Python's `ip_network(strict=True)`).
 */

export type CidrResult =
  | { readonly ok: true; readonly network: string; readonly prefixLength: number; readonly family: 4 | 6 }
  | { readonly ok: false; readonly reason: string; readonly hostBits?: string };

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  if (m === null) return undefined;
  const bytes = m.slice(1).map(Number);
  // Leading zeros are ambiguous (octal in some parsers), so they are rejected like Python does.
  if (bytes.some((b, i) => b > 255 || (m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0')))) return undefined;
  return bytes;
}

/** Eight 16-bit words, or undefined. Accepts `::` once and a trailing dotted IPv4. */
function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let tailWords: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tailWords = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const group of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const left = words(halves[0]!);
  const right = halves.length === 2 ? words(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  const given = left.length + right.length + tailWords.length;
  if (halves.length === 2) {
    if (given > 7) return undefined;
    return [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tailWords];
  }
  return given === 8 ? [...left, ...tailWords] : undefined;
}

function formatIpv6(words: readonly number[]): string {
  // RFC 5952: compress the longest run (≥ 2) of zero words, the first one on a tie; lower-case hex.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Clears the bits after `prefix` in a big-endian list of `width`-bit units; true when any were set. */
function maskUnits(units: number[], width: number, prefix: number): boolean {
  let changed = false;
  units.forEach((unit, index) => {
    const keep = Math.max(0, Math.min(width, prefix - index * width));
    const mask = keep === 0 ? 0 : ((0xffff << (width - keep)) & ((1 << width) - 1)) >>> 0;
    const masked = unit & mask;
    if (masked !== unit) changed = true;
    units[index] = masked;
  });
  return changed;
}

export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const address = (slash < 0 ? text : text.slice(0, slash)).trim();
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1).trim();
  const family: 4 | 6 = address.includes(':') ? 6 : 4;
  const max = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))
    return { ok: false, reason: `invalid prefix length '${prefixText}'` };
  const prefixLength = prefixText === undefined ? max : Number(prefixText);
  if (prefixLength > max) return { ok: false, reason: `prefix length ${prefixLength} exceeds ${max} for IPv${family}` };
  const units = family === 4 ? parseIpv4(address) : parseIpv6(address);
  if (units === undefined) return { ok: false, reason: `'${address}' is not a valid IPv${family} address` };
  const hostBits = maskUnits(units, family === 4 ? 8 : 16, prefixLength);
  const network = family === 4 ? units.join('.') : formatIpv6(units);
  if (hostBits) return { ok: false, reason: `host bits set in ${text}`, hostBits: `${network}/${prefixLength}` };
  return { ok: true, network, prefixLength, family };
}
