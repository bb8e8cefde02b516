// binding.gyp (installs from source) and CMakeLists.txt (the cross builds) must compile the same
// sources on each OS: both are parsed here and compared per OS, and every source file under
// src-native/ must be built somewhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const OSES = ['linux', 'mac', 'freebsd', 'win'] as const;
type Os = (typeof OSES)[number];

interface GypTarget {
  sources?: string[];
  conditions?: Array<[string, GypTarget, GypTarget?]>;
}

/** binding.gyp is a Python literal: JSON once comments and trailing commas are gone. */
function gypSources(): Record<Os, string[]> {
  const text = readFileSync(join(root, 'binding.gyp'), 'utf8')
    .replace(/^\s*#.*$/gm, '')
    .replace(/,(\s*[\]}])/g, '$1');
  const targets = (JSON.parse(text) as { targets: Array<GypTarget & { target_name: string }> }).targets;
  const target = targets.find((t) => t.target_name === 'tcp_keepalive');
  if (!target) throw new Error('binding.gyp: no target tcp_keepalive');
  const result = {} as Record<Os, string[]>;
  for (const os of OSES) {
    const sources = [...(target.sources ?? [])];
    for (const [condition, then, otherwise] of target.conditions ?? []) {
      const match = /^OS\s*==\s*'(\w+)'$/.exec(condition.trim());
      if (!match) throw new Error(`binding.gyp: condition this test cannot map: ${condition}`);
      const branch = match[1] === os ? then : otherwise;
      if (branch?.conditions) throw new Error('binding.gyp: nested conditions');
      sources.push(...(branch?.sources ?? []));
    }
    result[os] = sources.sort();
  }
  return result;
}

/** Each command of a CMake file as [name, arguments] (comments and quotes removed). */
function cmakeCommands(text: string): Array<[string, string[]]> {
  const code = text.replace(/#[^\n]*/g, '');
  const commands: Array<[string, string[]]> = [];
  for (const match of code.matchAll(/([A-Za-z_]\w*)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
    const args = match[2].match(/"[^"]*"|[^\s"]+/g) ?? [];
    commands.push([match[1].toLowerCase(), args.map((a) => a.replace(/^"|"$/g, ''))]);
  }
  return commands;
}

/** The OSes an if()/elseif() condition of CMakeLists.txt selects; null: not an OS test. */
function cmakeOses(condition: string[]): Os[] | null {
  const text = condition.join(' ');
  if (text === 'WIN32') return ['win'];
  if (text === 'APPLE') return ['mac'];
  if (text === 'CMAKE_SYSTEM_NAME STREQUAL Linux') return ['linux'];
  if (text === 'CMAKE_SYSTEM_NAME STREQUAL FreeBSD') return ['freebsd'];
  return null;
}

function cmakeSources(): Record<Os, string[]> {
  const sources = Object.fromEntries(OSES.map((os) => [os, [] as string[]])) as Record<Os, string[]>;
  // One frame per open if(): the OSes its current branch selects (null: not an OS test), and
  // the OSes its earlier branches took (what else() leaves).
  const stack: Array<{ oses: Os[] | null; taken: Os[] }> = [];
  const branch = (oses: Os[] | null) => {
    const frame = stack[stack.length - 1];
    frame.oses = oses;
    if (oses) frame.taken.push(...oses);
  };
  for (const [name, args] of cmakeCommands(readFileSync(join(root, 'CMakeLists.txt'), 'utf8'))) {
    if (name === 'if') {
      stack.push({ oses: null, taken: [] });
      branch(cmakeOses(args));
    } else if (name === 'elseif') {
      branch(cmakeOses(args));
    } else if (name === 'else') {
      const frame = stack[stack.length - 1];
      branch(frame.oses === null ? null : OSES.filter((os) => !frame.taken.includes(os)));
    } else if (name === 'endif') {
      stack.pop();
    } else if ((name === 'set' && args[0] === 'SOURCES') || (name === 'list' && args[0] === 'APPEND' && args[1] === 'SOURCES')) {
      let oses: readonly Os[] = OSES;
      for (const frame of stack) {
        if (!frame.oses) throw new Error(`CMakeLists.txt: SOURCES changed under an if() this test cannot map`);
        oses = oses.filter((os) => frame.oses?.includes(os));
      }
      for (const os of oses) {
        if (name === 'set') sources[os] = args.slice(1);
        else sources[os].push(...args.slice(2));
      }
    }
  }
  for (const os of OSES) sources[os].sort();
  return sources;
}

describe('build descriptions', () => {
  const gyp = gypSources();

  it('binding.gyp and CMakeLists.txt compile the same sources on each OS', () => {
    expect(cmakeSources()).toEqual(gyp);
  });

  it('every listed source exists and every src-native/*.cc is built on some OS', () => {
    const listed = new Set(Object.values(gyp).flat());
    for (const file of listed) expect([file, existsSync(join(root, file))]).toEqual([file, true]);
    const files = readdirSync(join(root, 'src-native')).filter((f) => f.endsWith('.cc'));
    expect(files.map((f) => `src-native/${f}`).filter((f) => !listed.has(f))).toEqual([]);
  });

  it('each OS builds exactly one sockopt and one socket-identity file, for that OS', () => {
    const family = { linux: 'posix', mac: 'posix', freebsd: 'posix', win: 'win' } as const;
    for (const os of OSES) {
      expect(gyp[os].filter((f) => /sockopt_|socket_identity_/.test(f))).toEqual([
        `src-native/socket_identity_${family[os]}.cc`,
        `src-native/sockopt_${family[os]}.cc`,
      ]);
    }
  });
});
