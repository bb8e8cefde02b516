// Where the exporter's numbers come from: for each process, its sockets from /proc/PID/fd and their
// state from one inet_diag dump per family (collect.ts), reduced to what the metrics need. A
// process in another network namespace is read by a helper that runs inside that namespace
// (nsenter; sock_diag sees only its own namespace), one per namespace, kept for the next scrapes.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import * as readline from 'node:readline';
import { stalledInDump, type ConnectionSample } from '../metrics/model';
import { collect } from './collect';

/** One process as a scrape sees it. */
export interface ProcessReading {
  pid: number;
  /** The process's name (/proc/PID/comm), '' when it is gone. */
  name: string;
  /** Why it could not be read (no such process, no rights, namespace not enterable), or null. */
  error: string | null;
  samples: ConnectionSample[];
  /** Connections whose keepalive settings could not be read (no ptrace rights over the process). */
  settingsUnreadable: number;
}

type Compact = [state: string, timer: string, probesOut: number, family: string, remoteAddress: string, stalled: 0 | 1, idle: number | null, readable: 0 | 1];

/** Reads one process in this network namespace, compactly (also what the helper sends). */
function readCompact(pid: number): Compact[] {
  return collect(pid).map((row) => [
    row.state, row.timer, row.probesOut, row.family, row.remoteAddress, stalledInDump(row) ? 1 : 0,
    row.settings?.enable ? row.settings.idle / 1000 : null, row.settings ? 1 : 0,
  ]);
}

function explainError(pid: number, error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT' || code === 'ESRCH') return `no process with pid ${pid}`;
  if (code === 'EACCES' || code === 'EPERM') {
    return `cannot list the sockets of pid ${pid}: /proc/${pid}/fd is readable only by its user and root (${code})`;
  }
  return (error as Error).message ?? String(error);
}

function toReading(pid: number, rows: Compact[]): ProcessReading {
  const samples: ConnectionSample[] = rows.map(([state, timer, probesOut, family, remoteAddress, stalled, idle]) => ({
    state: { state, timer, probesOut, family, remoteAddress } as ConnectionSample['state'],
    stalled: stalled === 1,
    idleSeconds: idle ?? undefined,
  }));
  return { pid, name: nameOf(pid), error: null, samples, settingsUnreadable: rows.filter((row) => row[7] === 0).length };
}

function nameOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function namespaceOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/** A helper inside one network namespace: JSON lines, one request (a pid) and one reply at a time. */
class NamespaceHelper {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(line: string | null) => void> = [];
  dead = false;

  constructor(pid: number) {
    const flags = [`--net=/proc/${pid}/ns/net`];
    if (process.geteuid?.() !== 0) flags.unshift(`--user=/proc/${pid}/ns/user`, '--preserve-credentials');
    const script = `require(${JSON.stringify(__filename)}).serveHelper()`;
    this.child = spawn('nsenter', [...flags, '--', process.execPath, '-e', script], { stdio: 'pipe' });
    this.child.stderr.resume();
    this.child.on('error', () => this.end());
    this.child.on('exit', () => this.end());
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  private end(): void {
    this.dead = true;
    for (const resolve of this.waiting.splice(0)) resolve(null);
  }

  request(pid: number, timeoutMs: number): Promise<{ rows?: Compact[]; error?: string }> {
    if (this.dead) return Promise.resolve({ error: 'the namespace helper exited' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.stop(); // out of step now: start a new one next time
        resolve({ error: `no answer from inside the network namespace within ${timeoutMs} ms` });
      }, timeoutMs);
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(line === null ? { error: 'the namespace helper exited' } : JSON.parse(line));
      });
      this.child.stdin.write(`${pid}\n`);
    });
  }

  stop(): void {
    this.end();
    this.child.kill();
  }
}

/** Reads processes, entering other network namespaces where needed. */
export class ProcessSource {
  private readonly helpers = new Map<string, NamespaceHelper>();
  private readonly own = namespaceOf('self');
  private checked = new Set<string>();

  async read(pid: number, timeoutMs = 10000): Promise<ProcessReading> {
    const theirs = namespaceOf(pid);
    try {
      if (theirs === undefined || theirs === this.own) return toReading(pid, readCompact(pid));
    } catch (error) {
      return { pid, name: nameOf(pid), error: explainError(pid, error), samples: [], settingsUnreadable: 0 };
    }
    const failure = this.enterable(pid, theirs);
    if (failure) return { pid, name: nameOf(pid), error: failure, samples: [], settingsUnreadable: 0 };
    let helper = this.helpers.get(theirs);
    if (!helper || helper.dead) {
      helper = new NamespaceHelper(pid);
      this.helpers.set(theirs, helper);
    }
    const reply = await helper.request(pid, timeoutMs);
    if (reply.rows) return toReading(pid, reply.rows);
    return { pid, name: nameOf(pid), error: reply.error ?? 'unknown error', samples: [], settingsUnreadable: 0 };
  }

  /** null when nsenter can enter the namespace of `pid` (checked once per namespace). */
  private enterable(pid: number, namespace: string): string | null {
    if (this.checked.has(namespace)) return null;
    const flags = [`--net=/proc/${pid}/ns/net`];
    if (process.geteuid?.() !== 0) flags.unshift(`--user=/proc/${pid}/ns/user`, '--preserve-credentials');
    const probe = spawnSync('nsenter', [...flags, '--', 'true'], { encoding: 'utf8', timeout: 10000 });
    if (probe.error || probe.status !== 0) {
      const why = probe.error?.message ?? (probe.stderr.trim() || `nsenter exited ${probe.status}`);
      return `pid ${pid} is in another network namespace (${namespace}), which cannot be entered: ${why}. ` +
        'Entering it needs root (CAP_SYS_ADMIN), or a namespace of a user namespace this user owns';
    }
    this.checked.add(namespace);
    return null;
  }

  close(): void {
    for (const helper of this.helpers.values()) helper.stop();
    this.helpers.clear();
  }
}

/** The helper's loop (runs inside the namespace): a pid per line in, its rows as JSON out. */
export function serveHelper(): void {
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const pid = Number(line);
    let reply: { rows?: Compact[]; error?: string };
    try {
      reply = { rows: readCompact(pid) };
    } catch (error) {
      reply = { error: explainError(pid, error) };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  });
  input.on('close', () => process.exit(0));
}
