// `tcp-keepalive demo`: configure keepalive on a loopback connection, watch it live, then cut the
// path and let the kernel detect the dead peer. Needs no root: the fault runs in a private network
// namespace made with `unshare -rn` (user + network namespace).
import * as net from 'node:net';
import { once } from 'node:events';
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setKeepAlive, getKeepAlive, getTcpInfo, monitor, type DeathReport } from '../index';

const CONFIG = { idle: 2000, interval: 1000, count: 3 };
const INSIDE = 'TCP_KEEPALIVE_DEMO_NETNS';

type Print = (line: string) => void;

function findIp(): string | undefined {
  return ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p));
}

/** Re-runs this command inside a new user + network namespace; returns its exit code or null. */
function runInPrivateNetwork(argv: string[]): number | null {
  if (process.env[INSIDE] || !findIp()) return null;
  const probe = spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore' });
  if (probe.status !== 0) return null;
  const child = spawnSync('unshare', ['-rn', process.execPath, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [INSIDE]: '1' },
  });
  return child.status ?? 1;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function infoLine(socket: net.Socket, t0: number): string {
  const i = getTcpInfo(socket);
  return `t=${seconds(Date.now() - t0).padStart(7)}  state=${i.state.padEnd(11)} probes=${i.probes} ` +
    `lastAckReceived=${String(i.lastAckReceived).padStart(5)} ms  rto=${i.rto} ms  rtt=${i.rtt.toFixed(3)} ms`;
}

async function openPair(): Promise<{ server: net.Server; client: net.Socket; peer: net.Socket }> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  setKeepAlive(client, CONFIG); // applied the moment it connects
  await once(client, 'connect');
  const [peer] = await accepted;
  peer.on('error', () => undefined);
  return { server, client, peer };
}

/** The connection with keepalive, live TCP_INFO; with `cutPath`, the kernel detecting the dead peer. */
async function demoConnection(print: Print, cutPath: (() => void) | null): Promise<number> {
  const { server, client, peer } = await openPair();
  const t0 = Date.now();
  const bound = CONFIG.idle + CONFIG.interval * CONFIG.count;
  print(`requested:  ${JSON.stringify(CONFIG)} (ms)`);
  print(`kernel has: ${JSON.stringify(getKeepAlive(client))} (ms)`);
  let lastLine = '';
  const tick = setInterval(() => {
    try {
      lastLine = infoLine(client, t0);
      print(lastLine);
    } catch {
      clearInterval(tick);
    }
  }, 1000);
  tick.unref();
  try {
    if (!cutPath) {
      await new Promise((resolve) => setTimeout(resolve, 3200));
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const silentFor = getTcpInfo(client).lastAckReceived;
    const lastHeard = Date.now() - silentFor;
    cutPath();
    print(`path to the peer cut (loopback down); the peer was last heard ${silentFor} ms ago`);
    print(`the kernel must give up ${bound} ms after that (idle ${CONFIG.idle} + ${CONFIG.count} x interval ${CONFIG.interval})`);
    // The monitor gives the early warning (probes out, before the kernel gives up) and the cause.
    const watcher = monitor({ interval: 100 });
    watcher.add(client);
    watcher.on('probing', (_socket, state) => {
      print(`early warning: ${state.probesOut} keepalive probe(s) unanswered, next timer in ${state.expiresIn} ms`);
    });
    const death = once(watcher, 'dead') as Promise<[net.Socket, DeathReport]>;
    const timeout = setTimeout(() => client.destroy(new Error('demo: no detection within 3x the bound')), 3 * bound);
    const [error] = (await once(client, 'error').catch((e) => [e])) as [NodeJS.ErrnoException];
    clearTimeout(timeout);
    const elapsed = Date.now() - lastHeard;
    print(`dead peer detected: ${error.code} after ${seconds(elapsed)} of silence (configured bound ${seconds(bound)})`);
    const [, report] = await death;
    watcher.close();
    print(`cause of death: ${report.cause} (${report.rule})`);
    return error.code === 'ETIMEDOUT' && report.cause === 'keepalive-timeout' ? 0 : 1;
  } finally {
    clearInterval(tick);
    client.destroy();
    peer.destroy();
    server.close();
  }
}

export async function runDemo(argv: string[], print: Print = (l) => console.log(l)): Promise<number> {
  const code = runInPrivateNetwork(argv);
  if (code !== null) return code;
  if (process.env[INSIDE]) {
    const ip = findIp()!;
    execFileSync(ip, ['link', 'set', 'lo', 'up']);
    print('tcp-keepalive demo, in a private network namespace (unshare -rn)');
    return demoConnection(print, () => execFileSync(ip, ['link', 'set', 'lo', 'down']));
  }
  print('tcp-keepalive demo (user namespaces or `ip` unavailable here: showing configuration and live');
  print('TCP_INFO only; the dead-peer part needs `unshare -rn` and iproute2)');
  return demoConnection(print, null);
}
