// CIDR, IPv4 and IPv6 (RFC 4291 text forms, embedded IPv4, zone ids ignored). An IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) matches IPv4 networks.
//
// Texts are parsed unit by unit, without split or regular expressions: a rule with a dozen networks tests the same
// field value a dozen times. The strings of one event are the same objects for every rule and network, so the last
// parsed text is also remembered (compared with `===`, which is one pointer compare for the same string).

const DOT = 46;
const COLON = 58;

/**
 * The IPv4 address in `text` from `from` to `to` (exclusive) as a number, or -1: exactly four dotted decimal
 * octets, each at most 255 and without leading zeros (some parsers read them as octal).
 */
function parseIPv4(text, from, to) {
  let n = 0;
  let dots = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3 || value > 255) return -1;
      n = n * 256 + value;
      dots++;
      value = 0;
      digits = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9 || digits === 3 || (digits === 1 && value === 0)) return -1;
      value = value * 10 + d;
      digits++;
    }
  }
  if (digits === 0 || dots !== 3 || value > 255) return -1;
  return n * 256 + value;
}

function hexValue(c) {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parses the colon-separated groups of `text` from `from` to `to` into `out` from index `at`; the last piece may be
 * an IPv4 address (two groups). Returns the number of groups, or -1 (also when more than 8).
 */
function parseGroups(text, from, to, out, at) {
  if (from === to) return 0;
  let count = 0;
  let start = from;
  for (;;) {
    let end = text.indexOf(':', start);
    if (end < 0 || end > to) end = to;
    const dot = end === to ? text.indexOf('.', start) : -1;
    if (dot >= 0 && dot < to) {
      const v4 = parseIPv4(text, start, end);
      if (v4 < 0 || count + 2 > 8) return -1;
      out[at + count++] = Math.floor(v4 / 65536);
      out[at + count++] = v4 % 65536;
      return count;
    }
    const length = end - start;
    if (length < 1 || length > 4 || count === 8) return -1;
    let group = 0;
    for (let i = start; i < end; i++) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) return -1;
      group = group * 16 + h;
    }
    out[at + count++] = group;
    if (end === to) return count;
    start = end + 1;
  }
}

/** Eight 16-bit groups, or undefined. */
function parseIPv6(text) {
  let to = text.indexOf('%');
  if (to < 0) to = text.length;
  for (let i = 0; i < to; i++) {
    const c = text.charCodeAt(i);
    if (hexValue(c) < 0 && c !== COLON && c !== DOT) return undefined;
  }
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  const gap = text.indexOf('::');
  if (gap < 0 || gap >= to) return parseGroups(text, 0, to, groups, 0) === 8 ? groups : undefined;
  const head = parseGroups(text, 0, gap, groups, 0);
  if (head < 0) return undefined;
  // `::` stands for the missing zero groups. A second `::` leaves an empty piece in the tail, which is refused.
  const tail = [];
  const count = parseGroups(text, gap + 2, to, tail, 0);
  if (count < 0 || head + count > 7) return undefined;
  for (let i = 0; i < count; i++) groups[8 - count + i] = tail[i];
  return groups;
}

function v6Within(ip, net, prefix) {
  let bits = prefix;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    if (bits >= 16) {
      if (ip[i] !== net[i]) return false;
    } else {
      const shift = 16 - bits;
      return ip[i] >> shift === net[i] >> shift;
    }
  }
  return true;
}

// The last text parsed: its IPv4 value (a dotted address, or an IPv4-mapped IPv6 one; else -1) and its IPv6 groups
// (texts with a colon only; else undefined), which is what IPv4 and IPv6 networks read.
let lastText = '';
let lastV4 = -1;
let lastV6 = undefined;

function classify(text) {
  if (!text.includes(':')) {
    lastV4 = parseIPv4(text, 0, text.length);
    lastV6 = undefined;
  } else {
    const groups = parseIPv6(text);
    let mapped = groups !== undefined && groups[5] === 0xffff;
    for (let i = 0; mapped && i < 5; i++) if (groups[i] !== 0) mapped = false;
    lastV4 = mapped ? groups[6] * 65536 + groups[7] : -1;
    lastV6 = groups;
  }
  lastText = text;
}

/** Compiles a network into a matcher `(text) => boolean`; throws when the network is not an address. */
export function cidr(network, prefix, family) {
  if (family === 4) {
    const net = parseIPv4(network, 0, network.length);
    if (net < 0 || !(prefix >= 0 && prefix <= 32)) throw new Error(`bad IPv4 network ${network}/${prefix}`);
    // The addresses of the network are those with the same quotient by 2^(32 - prefix).
    const size = 2 ** (32 - prefix);
    const key = Math.floor(net / size);
    return (text) => {
      if (text !== lastText) classify(text);
      return lastV4 >= 0 && Math.floor(lastV4 / size) === key;
    };
  }
  const net = parseIPv6(network);
  if (net === undefined || !(prefix >= 0 && prefix <= 128)) throw new Error(`bad IPv6 network ${network}/${prefix}`);
  return (text) => {
    if (text !== lastText) classify(text);
    return lastV6 !== undefined && v6Within(lastV6, net, prefix);
  };
}
