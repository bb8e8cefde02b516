// `tcp-keepalive watch`: like top for keepalive. A TTY gets a refreshing table; anything else
// gets one snapshot as plain lines or JSON. Flags are parsed strictly: unknown or malformed
// flags are an error with exit code 2.
import { collect, type WatchRow } from './collect';
import { plain, table } from './format';

export const WATCH_HELP = `Usage: tcp-keepalive watch [options]

Shows the TCP connections of a process with their keepalive settings and the kernel's live
timer (from sock_diag), refreshing like top. Connections with unanswered probes are marked '!'.

Options:
  --pid self|PID    process whose connections to show (default: self, this process). Another
                    process's settings need ptrace rights over it (same user, or root); the
                    timers and probes need none.
  --port N          only connections whose local or remote port is N (1-65535)
  --interval MS     refresh period in milliseconds (integer, 100-3600000; default 1000)
  --once            print one snapshot and exit (the default when stdout is not a terminal)
  --json            print the snapshot as JSON (implies --once)
  -h, --help        show this help

Columns: IDLE/INTVL/CNT and USER_TO are the options the kernel holds ('?' when unreadable,
'default' = TCP_USER_TIMEOUT 0). TIMER is the pending timer (keepalive, retransmit,
zero-window-probe, time-wait, none) and EXPIRES when it fires. PROBES is unanswered probes /
TCP_KEEPCNT. LAST_RECV is the time since the peer last sent anything, RTO the current RTO.

Exit status: 0 on success, 1 when the process cannot be read, 2 for bad options.

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
  const who = options.pid === 'self' ? `self (pid ${process.pid})` : `pid ${options.pid}`;
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
    if (code === 'EACCES' || code === 'EPERM') throw new Error(`not allowed to read the descriptors of pid ${options.pid} (run as its user or root)`);
    throw error;
  }
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
