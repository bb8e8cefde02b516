// The cost of detecting dead peers among 10,000 idle connections, three ways, same bound:
// (a) TCP keepalive set with this package, (b) ws ping/pong with a timer per connection (the ws
// README's heartbeat), (c) a JavaScript heartbeat over raw TCP. Per approach: the server
// process's CPU time, packets and bytes on the wire (nft counters in the bench's own network
// namespace), event-loop delay, then the peers are cut (nft drop) and each connection's detection
// time measured. The minute is scaled down: a 12 s window and a 6 s bound (30 s / 5); per-minute
// figures are the window's x 5. `npm run bench:heartbeat`; writes bench/RESULTS-heartbeat.md.
import * as net from 'node:net';
import * as http from 'node:http';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { table, times } from './report';
import { setKeepAlive } from '../lib/index';
import { reexecIsolated } from './snapshot';

type Approach = 'keepalive' | 'ws' | 'raw';
const APPROACHES: Approach[] = ['keepalive', 'ws', 'raw'];
const N = Number(process.env.HEARTBEAT_CONNECTIONS ?? 10000);
const WINDOW_MS = 12_000; // one minute / 5
const SCALE = 60_000 / WINDOW_MS;
const BOUND_MS = 6000; // 30 s / 5: keepalive 3 s idle + 3 x 1 s probes; heartbeat every 3 s
const BEAT_MS = 3000;
const PORT = 40000;
const PEER = '127.0.0.2';
const PING = Buffer.from([1]);

interface Measured {
  cpuMs: number;
  eldP50: number;
  eldP99: number;
  eldMax: number;
  detectedMs: number[];
  connected: number;
}

/** Child: the server of one approach. */
async function server(approach: Approach): Promise<void> {
  const closedAt: number[] = [];
  let cutAt = Number.POSITIVE_INFINITY;
  let connected = 0;
  const onClose = (): void => {
    if (performance.now() >= cutAt) closedAt.push(performance.now() - cutAt);
  };
  if (approach === 'ws') {
    const httpServer = http.createServer();
    const wss = new WebSocketServer({ server: httpServer });
    wss.on('connection', (ws) => {
      connected++;
      let alive = true;
      ws.on('pong', () => (alive = true));
      ws.on('error', () => undefined);
      const timer = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, BEAT_MS);
      ws.on('close', () => {
        clearInterval(timer);
        onClose();
      });
    });
    httpServer.listen(PORT, '127.0.0.1', 20000);
    await once(httpServer, 'listening');
  } else {
    const srv = net.createServer((socket) => {
      connected++;
      socket.on('error', () => undefined);
      if (approach === 'keepalive') {
        setKeepAlive(socket, { idle: 3000, interval: 1000, count: 3 });
        socket.on('close', onClose);
        return;
      }
      let alive = true;
      socket.on('data', () => (alive = true));
      const timer = setInterval(() => {
        if (!alive) {
          socket.destroy();
          return;
        }
        alive = false;
        socket.write(PING);
      }, BEAT_MS);
      socket.on('close', () => {
        clearInterval(timer);
        onClose();
      });
    });
    srv.listen(PORT, '127.0.0.1', 20000);
    await once(srv, 'listening');
  }
  process.send!('listening');
  const [go] = (await once(process, 'message')) as [string];
  if (go !== 'measure') return;
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const cpu = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const used = process.cpuUsage(cpu);
  eld.disable();
  process.send!('measured');
  await once(process, 'message'); // cut
  cutAt = performance.now();
  const deadline = cutAt + 3 * BOUND_MS;
  while (closedAt.length < connected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const result: Measured = {
    cpuMs: (used.user + used.system) / 1000,
    eldP50: eld.percentile(50) / 1e6,
    eldP99: eld.percentile(99) / 1e6,
    eldMax: eld.max / 1e6,
    detectedMs: closedAt,
    connected,
  };
  process.send!(result);
}

/** Child: N idle peers from 127.0.0.2 (ws clients answer pings; raw peers echo). */
async function peers(approach: Approach): Promise<void> {
  const held: Array<net.Socket | WebSocket> = [];
  for (let done = 0; done < N; ) {
    const batch = Math.min(250, N - done);
    await Promise.all(
      Array.from({ length: batch }, () => {
        if (approach === 'ws') {
          const ws = new WebSocket(`ws://127.0.0.1:${PORT}`, { localAddress: PEER });
          ws.on('error', () => undefined);
          held.push(ws);
          return once(ws, 'open');
        }
        const socket = net.connect({ port: PORT, host: '127.0.0.1', localAddress: PEER });
        socket.on('error', () => undefined);
        if (approach === 'raw') socket.on('data', (data) => socket.write(data));
        held.push(socket);
        return once(socket, 'connect');
      }),
    );
    done += batch;
  }
  process.send!('ready');
  await once(process, 'message');
  process.exit(0);
}

function nft(...args: string[]): string {
  return execFileSync('nft', args, { encoding: 'utf8' });
}

/** Packets and bytes both ways on the server port (every loopback packet passes input once). */
function counters(): { packets: number; bytes: number } {
  const rules = (JSON.parse(nft('-j', 'list', 'chain', 'inet', 'hb', 'count')) as { nftables: Array<{ rule?: { expr: Array<{ counter?: { packets: number; bytes: number } }> } }> }).nftables;
  let packets = 0;
  let bytes = 0;
  for (const entry of rules) for (const expr of entry.rule?.expr ?? []) if (expr.counter) [packets, bytes] = [packets + expr.counter.packets, bytes + expr.counter.bytes];
  return { packets, bytes };
}

async function runApproach(approach: Approach): Promise<Measured & { packets: number; bytes: number }> {
  const options = { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ['ignore', 'inherit', 'inherit', 'ipc'] };
  const srv: ChildProcess = fork(__filename, ['--server', approach], options);
  await once(srv, 'message');
  const peer: ChildProcess = fork(__filename, ['--peers', approach], options);
  await once(peer, 'message');
  await new Promise((resolve) => setTimeout(resolve, BEAT_MS + 500)); // past the connect burst
  const before = counters();
  srv.send('measure');
  await once(srv, 'message');
  const after = counters();
  nft('add', 'rule', 'inet', 'hb', 'count', 'ip', 'saddr', PEER, 'drop');
  nft('add', 'rule', 'inet', 'hb', 'count', 'ip', 'daddr', PEER, 'drop');
  srv.send('cut');
  const [result] = (await once(srv, 'message')) as [Measured];
  peer.send('exit');
  srv.kill();
  await once(peer, 'exit');
  nft('flush', 'chain', 'inet', 'hb', 'count');
  nft('add', 'rule', 'inet', 'hb', 'count', 'tcp', 'dport', String(PORT), 'counter');
  nft('add', 'rule', 'inet', 'hb', 'count', 'tcp', 'sport', String(PORT), 'counter');
  process.stderr.write(`heartbeat bench: ${approach} done\n`);
  return { ...result, packets: after.packets - before.packets, bytes: after.bytes - before.bytes };
}

const pct = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;
};

async function parent(): Promise<void> {
  nft('add', 'table', 'inet', 'hb');
  nft('add', 'chain', 'inet', 'hb', 'count', '{ type filter hook input priority 0; }');
  nft('add', 'rule', 'inet', 'hb', 'count', 'tcp', 'dport', String(PORT), 'counter');
  nft('add', 'rule', 'inet', 'hb', 'count', 'tcp', 'sport', String(PORT), 'counter');
  const results: Record<string, Measured & { packets: number; bytes: number }> = {};
  for (const approach of APPROACHES) results[approach] = await runApproach(approach);
  const base = results.keepalive;
  const names: Record<Approach, string> = {
    keepalive: '(a) TCP keepalive via this package (idle 3 s, interval 1 s, count 3)',
    ws: '(b) ws ping/pong, one 3 s timer per connection',
    raw: '(c) JavaScript heartbeat over raw TCP, one 3 s timer per connection',
  };
  const rows = APPROACHES.map((a) => {
    const r = results[a];
    const cpuPerMin = r.cpuMs * SCALE;
    return [
      names[a], `${(cpuPerMin / 1000).toFixed(2)} s`, times(r.cpuMs / base.cpuMs),
      `${Math.round(r.packets * SCALE).toLocaleString('en-US')}`, times(r.packets / base.packets),
      `${((r.bytes * SCALE) / 2 ** 20).toFixed(2)} MiB`, times(r.bytes / base.bytes),
      `${r.eldP50.toFixed(1)} / ${r.eldP99.toFixed(1)} / ${r.eldMax.toFixed(1)} ms`,
      `${(pct(r.detectedMs, 50) / 1000).toFixed(2)} / ${(pct(r.detectedMs, 100) / 1000).toFixed(2)} s`,
      `${r.detectedMs.length.toLocaleString('en-US')} / ${r.connected.toLocaleString('en-US')}`,
    ];
  });
  const lines = [
    '## Detecting dead peers: keepalive vs application heartbeats',
    '',
    '_Generated by `npm run bench:heartbeat` (bench/heartbeat.ts, root or `unshare -rn`; a few minutes)._',
    '',
    `Method: ${N.toLocaleString('en-US')} idle connections to one server process (the one measured), peers in another process bound to ${PEER}, all over loopback in a private network namespace. Same detection bound for all: a peer silent since the cut is declared dead within ${BOUND_MS / 1000} s (the 30 s of the brief, scaled down 5x to keep the run short; timers scaled alike). Over a ${WINDOW_MS / 1000} s window: CPU time of the server process (user + system), packets and bytes both ways on the server port from nft counters (every loopback packet counted once, at input), event-loop delay (monitorEventLoopDelay, 10 ms resolution; p50 / p99 / max); "per minute" = window x ${SCALE}. Then every packet from and to ${PEER} is dropped (nft) and each connection's close is timed from that moment (median / last). Node ${process.version}.`,
    '',
    ...table(['approach', 'CPU per minute', 'CPU vs (a)', 'packets per minute', 'vs (a)', 'bytes per minute', 'vs (a)', 'event-loop delay p50 / p99 / max', 'detection median / last', 'detected / connections'], rows),
    '',
    '- (a) leaves the server process nearly idle while the peers are alive (what it uses is the idle process itself: timers of Node, the delay monitor): the kernel sends the probes and takes the ACKs, JavaScript wakes only at the deaths. (b) and (c) run 10,000 timers and a write and a read per connection per period in JavaScript; ws adds framing and masking.',
    '- On the wire, a keepalive probe and its ACK are 2 bare segments per period; a heartbeat is a ping and a pong, each with data, plus ACKs.',
    '',
  ];
  writeFileSync(join(__dirname, 'RESULTS-heartbeat.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
  nft('delete', 'table', 'inet', 'hb');
}

if (require.main === module) {
  const role = process.argv[2];
  if (role === '--server') void server(process.argv[3] as Approach);
  else if (role === '--peers') void peers(process.argv[3] as Approach);
  else {
    if (!process.env.TCPKA_BENCH_NETNS) reexecIsolated(__filename);
    parent().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`${(error as Error).stack}\n`);
        process.exit(1);
      },
    );
  }
}
