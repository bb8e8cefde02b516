// Real PostgreSQL and Redis servers (Debian packages postgresql, redis-server: .ci/run installs
// them) for driver tests: each started here on the address and port asked for, optionally inside
// a test namespace, with its data in a fresh temp directory; stopped (and the directory removed)
// by stop(), or at the latest when this process exits. Needs root (PostgreSQL runs as its
// `postgres` user, namespaces need root).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RealServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

export interface ServerPlace {
  host: string;
  port: number;
  /** A network namespace name (test/helpers/netns.ts); the current one when omitted. */
  namespace?: string;
}

const PG_BIN = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'].find((dir) =>
  existsSync(join(dir, 'postgres')),
);

/** Why the real servers cannot run here, or undefined when they can. */
export function realServersMissing(): string | undefined {
  if (!PG_BIN) return 'PostgreSQL is not installed (apt-get install postgresql)';
  if (!existsSync('/usr/bin/redis-server')) return 'Redis is not installed (apt-get install redis-server)';
  return undefined;
}

// Servers still running when this process exits are killed and their directories removed.
const running = new Map<ChildProcess, () => void>();
process.on('exit', () => {
  for (const [child, cleanup] of running) {
    child.kill('SIGKILL');
    cleanup();
  }
});

/** A free TCP port on 127.0.0.1 (for servers in this namespace). */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function inPlace(place: ServerPlace, command: string[]): [string, string[]] {
  const [cmd, ...args] = place.namespace ? ['ip', 'netns', 'exec', place.namespace, ...command] : command;
  return [cmd, args];
}

/** Starts `command` and resolves once its output contains `ready` (rejects after `timeoutMs`). */
function startUntil(name: string, place: ServerPlace, command: string[], ready: string, cleanup: () => void, timeoutMs = 20000): Promise<RealServer> {
  const child = spawn(...inPlace(place, command), { stdio: ['ignore', 'pipe', 'pipe'] });
  running.set(child, cleanup);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
    running.delete(child);
    cleanup();
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} not ready within ${timeoutMs} ms: ${output.slice(-2000)}`));
    }, timeoutMs);
    const watch = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve({ host: place.host, port: place.port, stop });
      }
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
    child.once('exit', (code) => {
      clearTimeout(timer);
      cleanup();
      reject(new Error(`${name} exited (${code}): ${output.slice(-2000)}`));
    });
  });
}

/** PostgreSQL with trust authentication for user `postgres`, database `postgres`. */
export function startPostgres(place: ServerPlace): Promise<RealServer> {
  if (!PG_BIN) throw new Error(realServersMissing());
  const dir = mkdtempSync(join(tmpdir(), 'tka-pg-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
    const asPostgres = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
    execFileSync(asPostgres[0], [...asPostgres.slice(1), join(PG_BIN, 'initdb'), '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync'], {
      stdio: 'pipe',
      timeout: 60000,
      env: { ...process.env, LC_ALL: 'C' },
    });
    // Clients in another test namespace connect over TCP: trusted like local ones.
    appendFileSync(join(dir, 'data', 'pg_hba.conf'), 'host all all 0.0.0.0/0 trust\n');
    const command = [
      ...asPostgres, join(PG_BIN, 'postgres'), '-D', join(dir, 'data'), '-k', dir, '-h', place.host, '-p', String(place.port),
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    ];
    return startUntil('postgres', place, command, 'database system is ready to accept connections', remove);
  } catch (error) {
    remove();
    throw error;
  }
}

/** Redis without persistence. */
export function startRedis(place: ServerPlace): Promise<RealServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tka-redis-'));
  const command = [
    '/usr/bin/redis-server', '--bind', place.host, '--port', String(place.port), '--save', '', '--appendonly', 'no',
    '--protected-mode', 'no', '--dir', dir, '--daemonize', 'no',
  ];
  return startUntil('redis', place, command, 'Ready to accept connections', () => rmSync(dir, { recursive: true, force: true }));
}
