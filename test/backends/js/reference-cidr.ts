/**
 * The JS runtime's CIDR matcher as it was before cidr.js (split, one regular expression per piece): the oracle the
 * new parser is compared with (text-set.test.ts) and the baseline it is timed against (scripts/bench-text-set.ts).
 */

function refIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const byte = Number(part);
    if (byte > 255) return undefined;
    n = n * 256 + byte;
  }
  return n;
}

function refIPv6(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = refIPv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  return head.length === 8 ? head : undefined;
}

function refV4Within(ip: number, net: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const shift = 32 - prefix;
  return Math.floor(ip / 2 ** shift) === Math.floor(net / 2 ** shift);
}

function refV6Within(ip: readonly number[], net: readonly number[], prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    if (bits >= 16) {
      if (ip[i] !== net[i]) return false;
    } else {
      const shift = 16 - bits;
      return ip[i]! >> shift === net[i]! >> shift;
    }
  }
  return true;
}

/** The reference matcher, or undefined where the network is refused. */
export function refCidr(network: string, prefix: number, family: 4 | 6): ((text: string) => boolean) | undefined {
  if (family === 4) {
    const net = refIPv4(network);
    if (net === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
    return (text) => {
      if (!text.includes(':')) {
        const ip = refIPv4(text);
        return ip !== undefined && refV4Within(ip, net, prefix);
      }
      const g = refIPv6(text);
      if (g === undefined || g.slice(0, 5).some((x) => x !== 0) || g[5] !== 0xffff) return false;
      return refV4Within(g[6]! * 65536 + g[7]!, net, prefix);
    };
  }
  const net = refIPv6(network);
  if (net === undefined || !(prefix >= 0 && prefix <= 128)) return undefined;
  return (text) => {
    if (!text.includes(':')) return false;
    const groups = refIPv6(text);
    return groups !== undefined && refV6Within(groups, net, prefix);
  };
}
