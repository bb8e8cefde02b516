// The independent observer: iproute2's `ss`, which reads the kernel's sock_diag, not our addon.
import { execFileSync } from 'node:child_process';

export interface SsTimer {
  name: string;
  /** Time until the timer fires, ms. */
  expiresMs: number;
  /** Probes (or retransmissions) outstanding. */
  retrans: number;
}

export interface SsEntry {
  local: string;
  peer: string;
  timer?: SsTimer;
  raw: string;
}

/** Parses ss's duration ("119min", "1min14sec", "616ms", "1.896ms" meaning 1.896 s, "35sec"). */
export function parseSsDuration(text: string): number {
  // ss prints 1-9 s with a ms part as "<sec>.<ms>ms": seconds with a decimal point.
  const fractional = /^(\d+)\.(\d+)ms$/.exec(text);
  if (fractional) return Number(fractional[1]) * 1000 + Number(fractional[2].padEnd(3, '0').slice(0, 3));
  let total = 0;
  const units: Record<string, number> = { min: 60000, sec: 1000, ms: 1 };
  const re = /(\d+)(min|sec|ms)/g;
  let match: RegExpExecArray | null;
  let matched = '';
  while ((match = re.exec(text)) !== null) {
    total += Number(match[1]) * units[match[2]];
    matched += match[0];
  }
  if (matched !== text) throw new Error(`unparsed ss duration: ${text}`);
  return total;
}

/**
 * `ss -tino` for TCP sockets whose local port is `port`, in any state but TIME-WAIT (leftovers of
 * earlier connections that happened to use the same port).
 */
export function ssByLocalPort(port: number): SsEntry[] {
  const out = execFileSync('ss', ['-tinoaH', 'exclude', 'time-wait', `sport = :${port}`], { encoding: 'utf8' });
  return parseSs(out);
}

/** The one `ss -tino` entry of a connected socket, found by its exact local and remote ports. */
export function ssOf(socket: { localPort?: number; remotePort?: number }): SsEntry {
  const filter = `( sport = :${socket.localPort} and dport = :${socket.remotePort} )`;
  const entries = parseSs(execFileSync('ss', ['-tinoH', 'state', 'established', filter], { encoding: 'utf8' }));
  if (entries.length !== 1) throw new Error(`expected one ss entry for ${filter}, got ${entries.length}`);
  return entries[0];
}

export function parseSs(out: string): SsEntry[] {
  const entries: SsEntry[] = [];
  // Each socket: a line with addresses, optionally followed by indented detail lines.
  const blocks = out.split('\n').reduce<string[]>((acc, line) => {
    if (!line.trim()) return acc;
    if (/^\s/.test(line) && acc.length) acc[acc.length - 1] += ' ' + line.trim();
    else acc.push(line.trim());
    return acc;
  }, []);
  for (const raw of blocks) {
    const fields = raw.split(/\s+/);
    const timerMatch = /timer:\((\w+),([^,]+),(\d+)\)/.exec(raw);
    entries.push({
      local: fields[3],
      peer: fields[4],
      raw,
      timer: timerMatch
        ? { name: timerMatch[1], expiresMs: parseSsDuration(timerMatch[2]), retrans: Number(timerMatch[3]) }
        : undefined,
    });
  }
  return entries;
}
