// `tcp-keepalive exporter`: serves /metrics in the Prometheus text format for other processes on
// the host (Node or not), from /proc/PID/fd and inet_diag, one read per scrape. Flags are parsed
// strictly: anything it does not accept is one line on stderr and exit code 2.
import * as http from 'node:http';
import { render } from './exposition';
import { ProcessSource, type ProcessReading } from './exporter-source';

export const EXPORTER_HELP = `Usage: tcp-keepalive exporter --pid PID [--pid PID ...] [--listen HOST:PORT]

Serves http://HOST:PORT/metrics in the Prometheus text format: the keepalive health of the TCP
connections of the given processes (any program: a database, nginx, a JVM, Node), read at each
scrape from /proc/PID/fd and the kernel's sock_diag (one dump per address family).

Options:
  --pid PID           a process to export (repeat for several; at least one)
  --listen HOST:PORT  where to serve (default 127.0.0.1:9464; [::1]:9464 for IPv6; port 0 picks
                      a free port, printed at start)
  -h, --help          show this help

Metrics, labelled pid and process (its name):
  tcp_keepalive_connections{state,timer}       connections by TCP state and pending timer
  tcp_keepalive_probing_connections            connections with unanswered keepalive probes now
  tcp_keepalive_stalled_connections            probing that turned into unacknowledged data
  tcp_keepalive_configured_idle_seconds        histogram of the keepalive idle the kernel holds
  tcp_keepalive_exporter_process_up            1 when the process could be read, else 0
  tcp_keepalive_exporter_settings_unreadable_connections  connections whose settings were unreadable

What it can see:
  - Without privileges: processes of your own user only (/proc/PID/fd is readable by its owner
    and root; another user's process is exported with process_up 0 and the reason on stderr).
    States, timers and probe counters need nothing more. Keepalive settings (the idle histogram)
    are read through pidfd_getfd, which needs ptrace rights over the process (same user and
    kernel.yama.ptrace_scope 0, or CAP_SYS_PTRACE); otherwise they count as unreadable.
  - A process in another network namespace (a container) is read by a helper inside that
    namespace (nsenter): this needs root, or a namespace of a user namespace you own.
  - Deaths and their causes are not counted by the exporter (that needs the kernel's socket-destroy
    notifications, which it does not subscribe to): use registerPrometheus() in the process, whose
    tcp_keepalive_deaths_total and tcp_keepalive_detection_seconds come from its monitor.

Exit status: 0 after SIGINT/SIGTERM; 1 when it cannot listen; 2 for bad options.

Example:
  sudo tcp-keepalive exporter --pid "$(pgrep -o postgres)" --pid "$(pgrep -o nginx)"
`;

export interface ExporterOptions {
  pids: number[];
  host: string;
  port: number;
  help: boolean;
}

class UsageError extends Error {}

function parseListen(text: string | undefined): { host: string; port: number } {
  const match = text === undefined ? null : /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) throw new UsageError(`--listen needs HOST:PORT (e.g. 127.0.0.1:9464 or [::1]:9464), got ${text === undefined ? 'nothing' : `'${text}'`}`);
  const port = Number(match[3]);
  if (port > 65535) throw new UsageError(`--listen port must be between 0 and 65535, got ${port}`);
  return { host: match[1] ?? match[2], port };
}

/** Parses argv (the words after `exporter`); throws UsageError for anything it does not accept. */
export function parseExporterArgs(argv: string[]): ExporterOptions {
  const options: ExporterOptions = { pids: [], host: '127.0.0.1', port: 9464, help: false };
  let listenSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--pid': {
        const text = value();
        if (text === undefined || !/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 2 ** 22) {
          throw new UsageError(`--pid needs a process id (1-${2 ** 22}), got ${text === undefined ? 'nothing' : `'${text}'`}`);
        }
        if (options.pids.includes(Number(text))) throw new UsageError(`--pid ${text} given twice`);
        options.pids.push(Number(text));
        break;
      }
      case '--listen':
        if (listenSeen) throw new UsageError('--listen given twice');
        listenSeen = true;
        Object.assign(options, parseListen(value()));
        break;
      case '-h':
      case '--help':
        if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown option '${argv[i]}'`);
    }
  }
  if (!options.help && options.pids.length === 0) throw new UsageError('at least one --pid PID is needed');
  return options;
}

/** One scrape: every process in turn (a process that cannot be read is reported, not fatal). */
async function scrape(source: ProcessSource, pids: number[], reported: Set<string>): Promise<string> {
  const readings: ProcessReading[] = [];
  for (const pid of pids) {
    const reading = await source.read(pid);
    if (reading.error && !reported.has(reading.error)) {
      reported.add(reading.error); // once per distinct reason, not at every scrape
      process.stderr.write(`tcp-keepalive exporter: ${reading.error}\n`);
    }
    readings.push(reading);
  }
  return render(readings);
}

/** Runs `exporter` with the words after the subcommand; resolves with the exit code. */
export async function runExporter(argv: string[]): Promise<number> {
  let options: ExporterOptions;
  try {
    options = parseExporterArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tcp-keepalive exporter: ${error.message} (see tcp-keepalive exporter --help)\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(EXPORTER_HELP);
    return 0;
  }
  const source = new ProcessSource();
  const reported = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(path === '/' ? 'tcp-keepalive exporter: metrics at /metrics\n' : 'not found\n');
      return;
    }
    // Scrapes run one at a time (the namespace helpers answer in order).
    const done = queue.then(() => scrape(source, options.pids, reported));
    queue = done.catch(() => undefined);
    done.then(
      (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${error.message}\n`),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    process.stderr.write(`tcp-keepalive exporter: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    source.close();
    return 1;
  }
  const address = server.address() as { address: string; port: number };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  const root = process.geteuid?.() === 0 ? '' : ' (not root: see --help for what that hides)';
  process.stdout.write(`tcp-keepalive exporter: serving http://${host}:${address.port}/metrics for pid ${options.pids.join(', ')}${root}\n`);
  await scrape(source, options.pids, reported); // reports unreadable processes at once
  return new Promise((resolve) => {
    const stop = (): void => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      server.close();
      server.closeAllConnections?.();
      source.close();
      resolve(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
