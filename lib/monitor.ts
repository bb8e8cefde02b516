// A monitor: watches sockets with one inet_diag dump per tick and reports early warnings
// ('probing'), recoveries and deaths with their cause.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { invalidArgType, monitorClosed, outOfRange, socketClosed } from './errors';
import { checkTarget } from './target';
import { dumpByInode, familyOf, inodeOf, type ConnectionState } from './snapshot';
import { explain, noteSnapshot, trackDeath, type DeathReport } from './explain';

export interface MonitorOptions {
  /** ms between dumps (integer, 10 ms .. 2^31-1 ms). Default 1000. */
  interval?: number;
}

/** Per watched socket: bounded, a few numbers and the latest snapshot. */
interface Watched {
  probesOut: number;
  onClose: () => void;
}

export interface MonitorEvents {
  probing: [socket: net.Socket, state: ConnectionState];
  recovered: [socket: net.Socket, state: ConnectionState];
  dead: [socket: net.Socket, report: DeathReport];
  error: [error: Error];
}

const MAX_INTERVAL = 2 ** 31 - 1;

/**
 * Events:
 * - 'probing' (socket, state): the number of unanswered keepalive (or zero-window) probes rose
 *   above what the previous tick saw — the first one is the early warning, before the kernel gives up.
 * - 'recovered' (socket, state): a socket reported as probing has 0 probes out again.
 * - 'dead' (socket, report): a watched socket closed with an error; `report` as from explain().
 * - 'error' (error): a dump failed (the monitor keeps running).
 */
export class KeepAliveMonitor extends EventEmitter<MonitorEvents> {
  readonly interval: number;
  private readonly watched = new Map<net.Socket, Watched>();
  private readonly servers = new Map<net.Server, (socket: net.Socket) => void>();
  private timer: NodeJS.Timeout | null;

  constructor(options: MonitorOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
    const interval = options.interval ?? 1000;
    if (typeof interval !== 'number') throw invalidArgType('options.interval', 'of type number', interval);
    if (!Number.isInteger(interval) || interval < 10 || interval > MAX_INTERVAL) {
      throw outOfRange('options.interval', `an integer >= 10 and <= ${MAX_INTERVAL} (ms)`, interval);
    }
    this.interval = interval;
    this.timer = setInterval(() => this.tick(), interval);
    this.timer.unref(); // watching never keeps the process alive
  }

  /** Number of sockets being watched. */
  get size(): number {
    return this.watched.size;
  }

  /** Watches a socket (connected or still connecting) until it closes or is removed. Adding a
   *  watched socket again does nothing; a destroyed one throws ERR_SOCKET_CLOSED. */
  add(socket: net.Socket): this {
    this.ensureOpen();
    const target = checkTarget(socket);
    if (!(target instanceof net.Socket)) throw invalidArgType('socket', 'an instance of net.Socket or tls.TLSSocket', socket);
    if (target.destroyed) throw socketClosed('The socket');
    if (this.watched.has(target)) return this;
    trackDeath(target);
    const onClose = (): void => {
      this.watched.delete(target);
      const report = explain(target);
      if (report?.error) this.emit('dead', target, report);
    };
    target.once('close', onClose);
    this.watched.set(target, { probesOut: 0, onClose });
    return this;
  }

  /** Watches every connection the server accepts from now on. */
  addServer(server: net.Server): this {
    this.ensureOpen();
    const target = checkTarget(server, 'server');
    if (!(target instanceof net.Server)) throw invalidArgType('server', 'an instance of net.Server', server);
    if (this.servers.has(target)) return this;
    const onConnection = (socket: net.Socket): void => {
      if (!socket.destroyed) this.add(socket); // never throw inside the server's event
    };
    target.on('connection', onConnection);
    target.on('secureConnection', onConnection); // tls.Server: the TLSSocket
    this.servers.set(target, onConnection);
    return this;
  }

  /** Stops watching a socket (no events for it afterwards). Returns whether it was watched. */
  remove(socket: net.Socket): boolean {
    const entry = this.watched.get(socket);
    if (!entry) return false;
    socket.removeListener('close', entry.onClose);
    this.watched.delete(socket);
    return true;
  }

  /** Stops the timer and forgets every socket and server. Idempotent. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const socket of [...this.watched.keys()]) this.remove(socket);
    for (const [server, onConnection] of this.servers) {
      server.removeListener('connection', onConnection);
      server.removeListener('secureConnection', onConnection);
    }
    this.servers.clear();
  }

  /** The cause-of-death report of a socket (null while it is open); see explain(). */
  explain(socket: net.Socket): DeathReport | null {
    return explain(socket);
  }

  /** One dump now (also what the timer runs). Returns the states seen, keyed by socket. */
  tick(): Map<net.Socket, ConnectionState> {
    const seen = new Map<net.Socket, ConnectionState>();
    if (!this.timer || this.watched.size === 0) return seen;
    const byInode = new Map<number, net.Socket>();
    const families = new Set<number>();
    for (const socket of this.watched.keys()) {
      try {
        const inode = inodeOf(socket);
        if (inode === undefined) continue;
        byInode.set(inode, socket);
        families.add(familyOf(socket));
      } catch {
        continue; // closed between ticks: its 'close' listener reports it
      }
    }
    let states: Map<number, ConnectionState>;
    try {
      states = dumpByInode(families, (inode) => byInode.has(inode));
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', error as Error);
      return seen;
    }
    for (const [inode, state] of states) {
      const socket = byInode.get(inode) as net.Socket;
      const entry = this.watched.get(socket);
      if (!entry) continue;
      seen.set(socket, state);
      noteSnapshot(socket, state);
      const probing = state.timer === 'keepalive' || state.timer === 'zero-window-probe' ? state.probesOut : 0;
      const before = entry.probesOut;
      entry.probesOut = probing;
      if (probing > before) this.emit('probing', socket, state);
      else if (probing === 0 && before > 0) this.emit('recovered', socket, state);
    }
    return seen;
  }

  private ensureOpen(): void {
    if (!this.timer) throw monitorClosed();
  }
}

/** Creates a monitor that dumps every `interval` ms (default 1000). Call close() when done. */
export function monitor(options?: MonitorOptions): KeepAliveMonitor {
  return new KeepAliveMonitor(options);
}
