// A monitor: watches sockets with one inet_diag dump per tick and reports keepalive early
// warnings ('probing'), probing that turned into unacknowledged data ('stalled'), answers
// ('recovered') and deaths with their cause ('dead').
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import { invalidArgType, monitorClosed, outOfRange, readArgument, socketClosed } from './errors';
import { tlsTransportOf } from './node-internals';
import { checkSocket, checkTarget } from './target';
import type { ConnectionState } from './snapshot';
import { WatchTable } from './watch-table';
import { explain, noteSnapshot, trackDeath, type DeathReport } from './explain';

export interface MonitorOptions {
  /** ms between dumps (integer, 10 ms .. 2^31-1 ms). Default 1000. */
  interval?: number;
}

/**
 * Per watched socket: bounded, a few numbers. An episode starts when keepalive probes are first
 * seen out and ends when the peer answers (a fresh ACK) or the socket closes.
 */
export type EpisodePhase = 'quiet' | 'probing' | 'stalled';

interface Watched {
  phase: EpisodePhase;
  /** Highest number of keepalive probes out reported in this episode. */
  probesOut: number;
  /** performance.now() just before the dump that first saw this episode's probes. */
  since: number;
  onClose: () => void;
}

export interface MonitorEvents {
  probing: [socket: net.Socket, state: ConnectionState];
  stalled: [socket: net.Socket, state: ConnectionState];
  recovered: [socket: net.Socket, state: ConnectionState];
  dead: [socket: net.Socket, report: DeathReport];
  error: [error: Error];
}

type Listener = (...args: unknown[]) => void;

const MAX_INTERVAL = 2 ** 31 - 1;
/** The timer's tick: one dump, matched in C++, back to JavaScript only for what changed. */
const CHANGES_ONLY = Symbol('changes only');
/**
 * Slack for the fresh-ACK test: tcpi_last_ack_recv is counted in jiffies (up to 10 ms at HZ 100),
 * so an ACK just after the episode began may read a jiffy older. The ACK that preceded an episode
 * is at least TCP_KEEPIDLE (>= 1 s) older than its first probe, so this slack (plus the time a
 * dump takes) cannot make it look fresh.
 */
const ACK_SLACK_MS = 20;

/** The raw net.Socket under a server-side TLSSocket, or null. */
function transportOf(socket: net.Socket): net.Socket | null {
  if (!(socket instanceof tls.TLSSocket)) return null;
  const parent = tlsTransportOf(socket);
  return parent instanceof net.Socket ? parent : null;
}

/**
 * Watches sockets for keepalive trouble. Events (all about keepalive only: zero-window probes
 * of a peer that stopped reading are not reported; `tick()` and `snapshot()` show them as timer
 * 'zero-window-probe'):
 * - 'probing' (socket, state): the kernel's keepalive timer has more unanswered keepalive probes
 *   out than the monitor reported before in this episode (timer 'keepalive', probesOut > 0). The
 *   first one is the early warning, before the kernel gives up.
 * - 'stalled' (socket, state): a socket that was probing now has unacknowledged data (the
 *   application wrote to it): the kernel stopped keepalive probing and retransmits instead, and
 *   the peer has still not answered. Only TCP_USER_TIMEOUT or tcp_retries2 can end it now (the
 *   keepalive count no longer applies). Emitted once per episode; 'recovered' or 'dead' follows.
 * - 'recovered' (socket, state): a socket reported as probing or stalled received an ACK from the
 *   peer after its probes were first seen (tcpInfo.lastAckReceived is younger than the episode):
 *   the peer answered. A reading of 0 probes alone is not enough: the kernel also shows 0 when it
 *   switches from the keepalive to the retransmit timer.
 * - 'dead' (socket, report): a watched socket closed with an error; `report` as from explain().
 *   For a tls.Server added with addServer(), a connection that dies before its handshake
 *   finished is reported with its TLSSocket (the one 'tlsClientError' carries).
 * - 'error' (error): a dump failed (the monitor keeps running).
 */
export class KeepAliveMonitor extends EventEmitter<MonitorEvents> {
  readonly interval: number;
  private readonly watched = new Map<net.Socket, Watched>();
  /** The watched sockets as the dump matches them (inode, change summary per socket). */
  private readonly table = new WatchTable();
  private readonly servers = new Map<net.Server, Array<[string, Listener]>>();
  /** Raw sockets of tls.Servers, watched from 'connection' on. */
  private readonly transports = new WeakSet<net.Socket>();
  private timer: NodeJS.Timeout | null;

  constructor(options: MonitorOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
    const interval = readArgument('options', () => options.interval) ?? 1000;
    if (typeof interval !== 'number') throw invalidArgType('options.interval', 'of type number', interval);
    if (!Number.isInteger(interval) || interval < 10 || interval > MAX_INTERVAL) {
      throw outOfRange('options.interval', `an integer >= 10 and <= ${MAX_INTERVAL} (ms)`, interval);
    }
    this.interval = interval;
    this.timer = setInterval(() => this.tick(CHANGES_ONLY), interval);
    this.timer.unref(); // watching never keeps the process alive
  }

  /** Number of sockets being watched. */
  get size(): number {
    return this.watched.size;
  }

  /** The sockets being watched now (a copy; what metrics read at each scrape). */
  sockets(): net.Socket[] {
    return [...this.watched.keys()];
  }

  /** The phase of a watched socket's episode: 'quiet', 'probing' (keepalive probes out, reported
   *  by 'probing'), 'stalled' (reported by 'stalled'); undefined when it is not watched. */
  phaseOf(socket: net.Socket): EpisodePhase | undefined {
    return this.watched.get(socket)?.phase;
  }

  /** Watches a socket (connected or still connecting) until it closes or is removed. Adding a
   *  watched socket again does nothing; a destroyed one throws ERR_SOCKET_CLOSED. */
  add(socket: net.Socket): this {
    this.ensureOpen();
    const target = checkSocket(socket);
    if (target.destroyed) throw socketClosed('The socket');
    if (this.watched.has(target)) return this;
    // A TLSSocket over a raw socket watched since 'connection': the TLSSocket takes its place
    // (same descriptor), with the episode so far.
    const transport = transportOf(target);
    const carried = transport ? this.watched.get(transport) : undefined;
    if (transport && carried) this.remove(transport);
    trackDeath(target);
    const onClose = (): void => {
      this.watched.delete(target);
      this.table.delete(target);
      const report = explain(target);
      if (report?.error) this.emit('dead', target, report);
    };
    target.once('close', onClose);
    this.watched.set(target, { phase: carried?.phase ?? 'quiet', probesOut: carried?.probesOut ?? 0, since: carried?.since ?? 0, onClose });
    this.table.add(target);
    return this;
  }

  /** Watches every connection the server accepts from now on. For a tls.Server, a connection is
   *  watched as its raw socket until the handshake completes, then as its TLSSocket. */
  addServer(server: net.Server): this {
    this.ensureOpen();
    const target = checkTarget(server, 'server');
    if (!(target instanceof net.Server)) throw invalidArgType('server', 'an instance of net.Server', server);
    if (this.servers.has(target)) return this;
    const isTls = target instanceof tls.Server;
    const onConnection = (socket: net.Socket): void => {
      if (socket.destroyed || !this.timer) return; // never throw inside the server's event
      if (isTls && !(socket instanceof tls.TLSSocket)) this.transports.add(socket);
      this.add(socket);
    };
    const listeners: Array<[string, Listener]> = [['connection', onConnection as Listener]];
    if (isTls) {
      listeners.push(['secureConnection', onConnection as Listener]); // hands the raw socket's place over
      const onClientError = (_error: Error, socket: tls.TLSSocket): void => this.handshakeFailed(socket);
      listeners.push(['tlsClientError', onClientError as Listener]);
    }
    for (const [event, listener] of listeners) target.on(event, listener);
    this.servers.set(target, listeners);
    return this;
  }

  /** Stops watching a socket (no events for it afterwards). Returns whether it was watched. */
  remove(socket: net.Socket): boolean {
    this.transports.delete(socket);
    const entry = this.watched.get(socket);
    if (!entry) return false;
    socket.removeListener('close', entry.onClose);
    this.watched.delete(socket);
    this.table.delete(socket);
    return true;
  }

  /** Stops the timer and forgets every socket and server. Idempotent. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const socket of [...this.watched.keys()]) this.remove(socket);
    for (const [server, listeners] of this.servers) {
      for (const [event, listener] of listeners) server.removeListener(event, listener);
    }
    this.servers.clear();
  }

  /** The cause-of-death report of a socket (null while it is open); see explain(). */
  explain(socket: net.Socket): DeathReport | null {
    return explain(socket);
  }

  /**
   * One dump now (also what the timer runs). Returns the state of every watched socket seen,
   * keyed by socket. (The timer passes an internal marker: only what changed since the last
   * tick, and the sockets in an episode, are decoded and judged then.)
   */
  tick(mode?: symbol): Map<net.Socket, ConnectionState> {
    return this.poll(mode !== CHANGES_ONLY);
  }

  /**
   * One dump, matched in C++: with `all` false (the timer) only the sockets whose state, timer,
   * probe count or unacknowledged data changed, and those in an episode, come back to JavaScript.
   */
  private poll(all: boolean): Map<net.Socket, ConnectionState> {
    const seen = new Map<net.Socket, ConnectionState>();
    if (!this.timer || this.watched.size === 0) return seen;
    const before = performance.now();
    try {
      this.table.poll(all, (socket, state) => seen.set(socket, state));
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', error as Error);
      return seen;
    }
    const after = performance.now();
    for (const [socket, state] of seen) {
      const entry = this.watched.get(socket);
      if (!entry) {
        seen.delete(socket);
        continue;
      }
      noteSnapshot(socket, state);
      this.judge(socket, entry, state, before, after);
      if (entry.phase !== 'quiet') this.table.reportNext(socket); // judged at every tick
    }
    return seen;
  }

  /** One socket's episode: which event, if any, this state means. */
  private judge(socket: net.Socket, entry: Watched, state: ConnectionState, before: number, after: number): void {
    // Keepalive only: the zero-window probe timer shares the probe counter, not the meaning.
    const keepAliveProbes = state.timer === 'keepalive' ? state.probesOut : 0;
    if (entry.phase !== 'quiet') {
      if (!answered(state, after - entry.since)) {
        const unacknowledged = state.timer === 'retransmit' || (state.tcpInfo?.unacked ?? 0) > 0;
        if (unacknowledged) {
          if (entry.phase === 'probing') {
            entry.phase = 'stalled';
            this.emit('stalled', socket, state);
          }
        } else if (keepAliveProbes > entry.probesOut) {
          entry.probesOut = keepAliveProbes;
          this.emit('probing', socket, state);
        }
        return;
      }
      entry.phase = 'quiet';
      entry.probesOut = 0;
      this.emit('recovered', socket, state);
    }
    if (keepAliveProbes > 0 && this.watched.get(socket) === entry) {
      entry.phase = 'probing';
      entry.probesOut = keepAliveProbes;
      entry.since = before;
      this.emit('probing', socket, state);
    }
  }

  /**
   * tls.Server: a connection whose TLSSocket was destroyed before the handshake finished. The
   * monitor watched its raw socket, which Node closes without an error; the TLSSocket holds the
   * error, the raw socket the evidence (read when it was destroyed, descriptor still open).
   */
  private handshakeFailed(socket: tls.TLSSocket): void {
    const transport = transportOf(socket);
    if (!transport || !this.transports.has(transport) || this.watched.has(socket) || !this.timer) return;
    if (!(socket as unknown as { errored?: Error | null }).errored) return; // the peer left before the handshake: an orderly close
    // As for other sockets: after the socket's 'error' (being emitted now) and 'close'.
    socket.once('close', () => {
      if (!this.transports.has(transport) || !this.timer) return; // removed, or the monitor closed, meanwhile
      this.remove(transport);
      const report = explain(socket); // the error is the TLSSocket's, the evidence its raw socket's
      if (report?.error) this.emit('dead', socket, report);
    });
  }

  private ensureOpen(): void {
    if (!this.timer) throw monitorClosed();
  }
}

/** Whether the peer sent an ACK within the last `episodeMs` (the time since probing was seen). */
function answered(state: ConnectionState, episodeMs: number): boolean {
  const info = state.tcpInfo;
  if (!info) return state.timer === 'keepalive' && state.probesOut === 0; // no TCP_INFO in the dump
  return info.lastAckReceived < episodeMs + ACK_SLACK_MS;
}

/** Creates a monitor that dumps every `interval` ms (default 1000). Call close() when done. */
export function monitor(options?: MonitorOptions): KeepAliveMonitor {
  return new KeepAliveMonitor(options);
}
