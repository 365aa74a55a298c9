/**
 * Microbenchmark of the JS runtime's needle sets (text-set.js) and CIDR matchers (cidr.js) against the previous
 * implementations, kept below as `legacy*` (runtime.js now re-exports the new ones) so the comparison stays
 * meaningful. Inputs are synthetic but shaped like SigmaHQ rules on Sysmon events: hash lists against a `Hashes`
 * value, command-line fragments against command lines, `\x.exe` suffix lists against image paths, a dozen
 * private/loopback networks against addresses. Each figure is the median of --rounds rounds, old and new
 * interleaved; the host is shared, so run it a few times.
 *
 *   npx tsx scripts/bench-text-set.ts [--rounds 9]
 */
import { cidr } from '../backends/js/runtime/cidr.js';
import { textSet } from '../backends/js/runtime/text-set.js';
import { refCidr } from '../test/backends/js/reference-cidr.js';
import { prng } from '../test/helpers/prng.js';

type Kind = 'exact' | 'prefix' | 'suffix' | 'contains';
type Test = (text: string) => boolean;

const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const ROUNDS = at >= 0 ? Number(args[at + 1]) : 9;

// ---------------------------------------------------------------------------------------------------------------
// The previous implementations (runtime.js before text-set.js and cidr.js).

function legacyTextSet(needles: readonly string[], kind: Kind): Test {
  const PAIR_BITS = 4096;
  const pairSlot = (a: number, b: number): number => (a * 31 + b) & (PAIR_BITS - 1);
  const unique = [...new Set(needles)];
  if (kind === 'exact') {
    const set = new Set(unique);
    return (s) => set.has(s);
  }
  const short = unique.filter((n) => n.length < 2);
  const byPair = new Map<number, string[]>();
  const filter = new Uint32Array(PAIR_BITS >>> 5);
  for (const n of unique) {
    if (n.length < 2) continue;
    const i = kind === 'suffix' ? n.length - 2 : 0;
    const a = n.charCodeAt(i);
    const b = n.charCodeAt(i + 1);
    const slot = pairSlot(a, b);
    filter[slot >>> 5]! |= 1 << (slot & 31);
    const list = byPair.get(a * 65536 + b);
    if (list === undefined) byPair.set(a * 65536 + b, [n]);
    else list.push(n);
  }
  if (kind === 'prefix') {
    return (s) => {
      for (const n of short) if (s.startsWith(n)) return true;
      if (s.length < 2) return false;
      const list = byPair.get(s.charCodeAt(0) * 65536 + s.charCodeAt(1));
      if (list !== undefined) for (const n of list) if (s.startsWith(n)) return true;
      return false;
    };
  }
  if (kind === 'suffix') {
    return (s) => {
      for (const n of short) if (s.endsWith(n)) return true;
      if (s.length < 2) return false;
      const list = byPair.get(s.charCodeAt(s.length - 2) * 65536 + s.charCodeAt(s.length - 1));
      if (list !== undefined) for (const n of list) if (s.endsWith(n)) return true;
      return false;
    };
  }
  return (s) => {
    for (const n of short) if (s.includes(n)) return true;
    const end = s.length - 1;
    let b = end >= 0 ? s.charCodeAt(0) : 0;
    for (let i = 0; i < end; i++) {
      const a = b;
      b = s.charCodeAt(i + 1);
      const slot = pairSlot(a, b);
      if ((filter[slot >>> 5]! & (1 << (slot & 31))) === 0) continue;
      const list = byPair.get(a * 65536 + b);
      if (list !== undefined) for (const n of list) if (s.startsWith(n, i)) return true;
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs.

const rand = prng(20261128);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const hex = (n: number): string =>
  Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');

function hashNeedles(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 3 === 0 ? `md5=${hex(32)}` : i % 3 === 1 ? `sha1=${hex(40)}` : `sha256=${hex(64)}`,
  );
}
const hashesValues = Array.from(
  { length: 256 },
  () => `sha1=${hex(40)},md5=${hex(32)},sha256=${hex(64)},imphash=${hex(32)}`,
);

const FRAGMENTS = [
  '-enc',
  'invoke-',
  'downloadstring',
  '.ps1',
  '/c ',
  'iex(',
  'bypass',
  'frombase64string',
  'hidden',
  'net.webclient',
  '-nop',
  'rundll32',
  'regsvr32',
  '/s /n /u /i:',
  'mshta',
  'certutil',
  '-urlcache',
  'bitsadmin',
  '/transfer',
  'vssadmin',
  'delete shadows',
  'wmic',
  'shadowcopy',
  'reg add',
  'schtasks',
  '/create',
  'whoami',
  'mimikatz',
  'sekurlsa',
  'procdump',
];
const CMD_TOKENS = [
  'c:\\windows\\system32\\cmd.exe',
  'c:\\program files\\google\\chrome\\application\\chrome.exe',
  '--type=renderer',
  '--lang=en-us',
  '--field-trial-handle=1736,i,1234567890',
  '-k netsvcs -p',
  '-s schedule',
  'c:\\users\\alice\\appdata\\local\\temp\\setup.tmp',
  '/verysilent',
  '"c:\\windows\\system32\\svchost.exe"',
  'shell32.dll,control_rundll',
  'query hklm\\software\\microsoft\\windows\\currentversion\\run',
  '/q',
  'user /domain',
  '-embedding',
  '--no-sandbox',
  'c:\\windows\\microsoft.net\\framework64\\v4.0.30319\\ngen.exe',
  'install',
  '/queue',
  '-servername:appinfo',
  'c:\\programdata\\microsoft\\windows defender\\platform\\4.18.2301.6-0\\msmpeng.exe',
];
const commandLines = Array.from({ length: 256 }, () => {
  const length = 100 + Math.floor(rand() * 300);
  let line = pick(CMD_TOKENS);
  while (line.length < length) line += ' ' + pick(CMD_TOKENS);
  return line;
});

const EXE = Array.from({ length: 200 }, (_, i) => `\\${hex(2 + (i % 10)).replace(/[0-9]/g, 'x')}tool${i}.exe`);
const images = Array.from({ length: 256 }, (_, i) =>
  i % 4 === 0 ? `c:\\windows\\system32\\${hex(6)}.exe` : pick(CMD_TOKENS.filter((t) => t.endsWith('.exe'))),
);

const NETWORKS: [string, number, 4 | 6][] = [
  ['10.0.0.0', 8, 4],
  ['172.16.0.0', 12, 4],
  ['192.168.0.0', 16, 4],
  ['127.0.0.0', 8, 4],
  ['169.254.0.0', 16, 4],
  ['100.64.0.0', 10, 4],
  ['0.0.0.0', 8, 4],
  ['::1', 128, 6],
  ['fc00::', 7, 6],
  ['fe80::', 10, 6],
  ['64:ff9b::', 96, 6],
  ['2001:db8::', 32, 6],
];
const addresses = Array.from({ length: 256 }, (_, i) => {
  const octet = (): number => Math.floor(rand() * 256);
  switch (i % 8) {
    case 0:
      return `10.${octet()}.${octet()}.${octet()}`;
    case 1:
      return `192.168.${octet()}.${octet()}`;
    case 2:
    case 3:
    case 4:
      return `${20 + Math.floor(rand() * 180)}.${octet()}.${octet()}.${octet()}`;
    case 5:
      return `2a02:${hex(4)}:${hex(3)}::${hex(2)}:${hex(4)}`;
    case 6:
      return `fe80::${hex(4)}:${hex(4)}:${hex(4)}:${hex(4)}%eth0`;
    default:
      return `::ffff:${20 + Math.floor(rand() * 180)}.${octet()}.${octet()}.${octet()}`;
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Timing.

interface Case {
  name: string;
  texts: readonly string[];
  old: Test;
  new: Test;
}

const anyOf =
  (tests: readonly Test[]): Test =>
  (s) => {
    for (const test of tests) if (test(s)) return true;
    return false;
  };

/** Sequential strings, like the ones JSON.parse gives events (concatenation builds slower rope strings). */
const flat = (texts: readonly string[]): string[] => JSON.parse(JSON.stringify(texts)) as string[];

const cases: Case[] = [
  ...[40, 200, 1000].map((n) => {
    const needles = hashNeedles(n);
    return {
      name: `hashes ×${n}`,
      texts: flat(hashesValues),
      old: legacyTextSet(needles, 'contains'),
      new: textSet(needles, 'contains'),
    };
  }),
  ...[10, 30].map((n) => ({
    name: `cmdline contains ×${n}`,
    texts: flat(commandLines),
    old: legacyTextSet(FRAGMENTS.slice(0, n), 'contains'),
    new: textSet(FRAGMENTS.slice(0, n), 'contains'),
  })),
  {
    name: 'image suffix ×200',
    texts: flat(images),
    old: legacyTextSet(EXE, 'suffix'),
    new: textSet(EXE, 'suffix'),
  },
  {
    name: 'cidr ×1 (parse per call)',
    texts: flat(addresses),
    old: refCidr('10.0.0.0', 8, 4)!,
    new: cidr('10.0.0.0', 8, 4),
  },
  {
    name: `cidr ×${NETWORKS.length} (any)`,
    texts: flat(addresses),
    old: anyOf(NETWORKS.map(([n, p, f]) => refCidr(n, p, f)!)),
    new: anyOf(NETWORKS.map(([n, p, f]) => cidr(n, p, f))),
  },
];

/** Nanoseconds per call of `test` over `texts`, repeated until about 40 ms have passed. */
function time(test: Test, texts: readonly string[]): number {
  let calls = 0;
  let hits = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    for (const text of texts) if (test(text)) hits++;
    calls += texts.length;
    elapsed = Number(process.hrtime.bigint() - start);
  } while (elapsed < 40e6);
  if (hits < 0) console.log(hits);
  return elapsed / calls;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

console.log(`case                       old ns/call  new ns/call  speed-up  (median of ${ROUNDS} rounds)`);
for (const c of cases) {
  for (const text of c.texts) {
    if (c.old(text) !== c.new(text)) throw new Error(`${c.name}: old and new disagree on ${JSON.stringify(text)}`);
  }
  const olds: number[] = [];
  const news: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    olds.push(time(c.old, c.texts));
    news.push(time(c.new, c.texts));
  }
  const o = median(olds);
  const n = median(news);
  const hits = c.texts.filter((t) => c.new(t)).length;
  console.log(
    `${c.name.padEnd(26)} ${o.toFixed(0).padStart(11)}  ${n.toFixed(0).padStart(11)}  ${(o / n).toFixed(1).padStart(7)}×` +
      `  (${hits}/${c.texts.length} match)`,
  );
}
