// `tcp-keepalive watch`: like top for keepalive. A TTY gets a refreshing table; anything else
// gets one snapshot as plain lines or JSON. Flags are parsed strictly: unknown or malformed
// flags are an error with exit code 2. A process in another network namespace is read from
// inside it: watch runs itself again under nsenter (sock_diag sees only its own namespace).
import { spawn, spawnSync } from 'node:child_process';
import { readlinkSync, statSync } from 'node:fs';
import { collect, type WatchRow } from './collect';
import { plain, table } from './format';

export const WATCH_HELP = `Usage: tcp-keepalive watch [options]

Shows the TCP connections of a process with their keepalive settings and the kernel's live
timer (from sock_diag), refreshing like top. Connections with unanswered probes are marked '!'.

Options:
  --pid self|PID    process whose connections to show (default: self, this process).
                    Another process's sockets are listed from /proc/PID/fd, which only its
                    user and root may read: for another user's process, run as root (else exit
                    1 with a message). Their timers and probes need no further privilege; their
                    keepalive settings need ptrace rights over the process (else '?'). A
                    process in another network namespace is read from inside that namespace
                    (watch re-runs itself under nsenter): this needs root, or, for a namespace
                    of your own user namespace (unshare -rn, rootless containers), nothing more.
  --port N          only connections whose local or remote port is N (1-65535)
  --interval MS     refresh period in milliseconds (integer, 100-3600000; default 1000)
  --once            print one snapshot and exit (the default when stdout is not a terminal)
  --json            print the snapshot as JSON (implies --once)
  -h, --help        show this help

Columns: IDLE/INTVL/CNT and USER_TO are the options the kernel holds ('?' when unreadable,
'default' = TCP_USER_TIMEOUT 0). TIMER is the pending timer (keepalive, retransmit,
zero-window-probe, time-wait, none) and EXPIRES when it fires. PROBES is unanswered probes /
TCP_KEEPCNT. LAST_RECV is the time since the peer last sent anything, RTO the current RTO.

Exit status: 0 on success; 1 when the process cannot be read (it does not exist, it belongs to
another user and you are not root, or its network namespace cannot be entered), with the reason
on stderr; 2 for bad options.

Examples:
  tcp-keepalive watch --pid 4242 --port 5432
  tcp-keepalive watch --pid 4242 --json | jq '.[] | select(.probesOut > 0)'
`;

export interface WatchOptions {
  pid: number | 'self';
  port?: number;
  interval: number;
  once: boolean;
  json: boolean;
  help: boolean;
}

class UsageError extends Error {}

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`${flag} needs an integer, got ${text === undefined ? 'nothing' : `'${text}'`}`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Parses argv (the words after `watch`); throws UsageError for anything it does not accept. */
export function parseWatchArgs(argv: string[]): WatchOptions {
  const options: WatchOptions = { pid: 'self', interval: 1000, once: false, json: false, help: false };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (seen.has(flag) && flag !== '-h') throw new UsageError(`${flag} given twice`);
    seen.add(flag);
    switch (flag) {
      case '--pid': {
        const text = value();
        options.pid = text === 'self' ? 'self' : integer('--pid', text, 1, 2 ** 22);
        break;
      }
      case '--port':
        options.port = integer('--port', value(), 1, 65535);
        break;
      case '--interval':
        options.interval = integer('--interval', value(), 100, 3600000);
        break;
      case '--once':
        options.once = true;
        break;
      case '--json':
        options.json = true;
        options.once = true;
        break;
      case '-h':
      case '--help':
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown option '${argv[i]}'`);
    }
    if (inline !== undefined && (flag === '--once' || flag === '--json' || flag === '--help')) {
      throw new UsageError(`${flag} takes no value`);
    }
  }
  return options;
}

function render(rows: WatchRow[], options: WatchOptions): string {
  if (options.json) return JSON.stringify(rows, null, 2);
  return plain(rows);
}

function header(options: WatchOptions, rows: WatchRow[]): string {
  const entered = process.env[ENTERED];
  const who = (options.pid === 'self' ? `self (pid ${process.pid})` : `pid ${options.pid}`) + (entered ? ` in ${entered}` : '');
  const port = options.port ? `, port ${options.port}` : '';
  const probing = rows.filter((row) => row.probesOut > 0).length;
  return `tcp-keepalive watch: ${who}${port} — ${rows.length} connection(s), ${probing} probing — every ${options.interval} ms, Ctrl-C to quit\n`;
}

function readRows(options: WatchOptions): WatchRow[] {
  try {
    return collect(options.pid, options.port);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new Error(`no process with pid ${options.pid}`);
    if (code === 'EACCES' || code === 'EPERM') {
      const owner = ownerOf(options.pid);
      const who = owner === undefined ? 'its user' : `its user (uid ${owner})`;
      throw new Error(
        `cannot list the connections of pid ${options.pid}: /proc/${options.pid}/fd may be read only by ${who} and root (${code}). ` +
          `Run watch as ${owner === undefined ? 'that user' : `uid ${owner}`} or as root.`,
      );
    }
    throw error;
  }
}

function ownerOf(pid: number | 'self'): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

/** Set in the copy of watch that runs inside the watched process's network namespace. */
const ENTERED = 'TCP_KEEPALIVE_WATCH_NETNS';

function namespaceOf(pid: number | 'self', kind: 'net' | 'user'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`); // e.g. 'net:[4026532280]'
  } catch {
    return undefined; // no such process, or no rights over it: reading /proc/PID/fd will say which
  }
}

/** Node flags for the copy (a loader such as -r stays; debugger and eval flags do not). */
function nodeFlags(): string[] {
  const flags: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const flag = process.execArgv[i];
    if (/^(-e|--eval|-p|--print)$/.test(flag)) i++;
    else if (!/^(--inspect|--debug|--eval=|--print=)/.test(flag)) flags.push(flag);
  }
  return flags;
}

/**
 * When `pid` lives in another network namespace: runs this command again inside it, under
 * nsenter, and resolves with that run's exit code. Resolves null when there is nothing to enter.
 * Throws (exit 1) with the reason when the namespace cannot be entered.
 */
function runInNamespaceOf(pid: number, argv: string[]): Promise<number> | null {
  const theirs = namespaceOf(pid, 'net');
  if (theirs === undefined || theirs === namespaceOf('self', 'net')) return null;
  if (process.env[ENTERED] === theirs) throw new Error(`entered ${theirs} but pid ${pid} is still elsewhere`);
  const why = `pid ${pid} is in another network namespace (${theirs}), and sock_diag sees only the namespace it runs in`;
  const flags = [`--net=/proc/${pid}/ns/net`];
  if (process.geteuid?.() !== 0) {
    // Without root, only a namespace of a user namespace this user owns can be entered.
    const user = namespaceOf(pid, 'user');
    if (user === undefined || user === namespaceOf('self', 'user')) {
      throw new Error(`${why}; entering it needs root (CAP_SYS_ADMIN). Run watch as root, or inside that namespace.`);
    }
    flags.unshift(`--user=/proc/${pid}/ns/user`, '--preserve-credentials');
  }
  const probe = spawnSync('nsenter', [...flags, '--', 'true'], { encoding: 'utf8', timeout: 10000 });
  if (probe.error) throw new Error(`${why}; entering it needs nsenter (util-linux): ${probe.error.message}`);
  if (probe.status !== 0) {
    throw new Error(`${why}, and it cannot be entered: ${probe.stderr.trim() || `nsenter exited ${probe.status}`}. Run watch as root.`);
  }
  const script = `require(${JSON.stringify(__filename)}).runWatch(${JSON.stringify(argv)}).then((code) => { process.exitCode = code; })`;
  const child = spawn('nsenter', [...flags, '--', process.execPath, ...nodeFlags(), '-e', script], {
    stdio: 'inherit',
    env: { ...process.env, [ENTERED]: theirs },
  });
  return new Promise((resolve) => {
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (code: number): void => {
      process.removeListener('SIGINT', forward);
      process.removeListener('SIGTERM', forward);
      resolve(code);
    };
    child.once('error', (error) => {
      process.stderr.write(`tcp-keepalive watch: ${error.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
  });
}

/** Runs `watch` with the words after the subcommand; resolves with the exit code. */
export async function runWatch(argv: string[]): Promise<number> {
  let options: WatchOptions;
  try {
    options = parseWatchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tcp-keepalive watch: ${error.message}\nRun 'tcp-keepalive watch --help' for the options.\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(WATCH_HELP);
    return 0;
  }
  const live = process.stdout.isTTY === true && !options.once;
  try {
    const inside = options.pid === 'self' || process.platform !== 'linux' ? null : runInNamespaceOf(options.pid, argv);
    if (inside) return await inside;
    if (!live) {
      const output = render(readRows(options), options);
      process.stdout.write(output ? `${output}\n` : options.json ? '[]\n' : '');
      return 0;
    }
    return await refresh(options);
  } catch (error) {
    process.stderr.write(`tcp-keepalive watch: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The live view: redraws every interval until SIGINT/SIGTERM or the process goes away. */
function refresh(options: WatchOptions): Promise<number> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (code: number): void => {
      clearTimeout(timer);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.stdout.write('\x1b[?25h'); // cursor back on
      resolve(code);
    };
    const onSignal = (): void => stop(0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const draw = (): void => {
      let rows: WatchRow[];
      try {
        rows = readRows(options);
      } catch (error) {
        process.stderr.write(`tcp-keepalive watch: ${(error as Error).message}\n`);
        stop(1);
        return;
      }
      process.stdout.write(`\x1b[?25l\x1b[H\x1b[2J${header(options, rows)}\n${table(rows)}\n`);
      timer = setTimeout(draw, options.interval);
    };
    draw();
  });
}
