// keepAliveEverywhere: the process-wide policy. Every TCP connection this thread opens or accepts
// from now on gets one configuration, through the core (keepAliveSocketWith / configure), kept
// through Node's and the drivers' own setKeepAlive calls.
//
// Where sockets are caught (one path per Node line, never both):
// - clients, Node 22.17+ / 24.2+ / 25+: diagnostics_channel `net.client.socket`, published at the
//   top of every Socket.prototype.connect (net.connect, new Socket().connect, tls.connect);
// - clients, Node 20, 22.0-22.16, 23, 24.0-24.1: a wrapper of net.Socket.prototype.connect (the
//   channel misses `new Socket().connect()` there: pg, and every tls.connect), removed by close();
// - servers: `tracing:net.server.listen` asyncEnd configures the listening socket once (Linux:
//   accepted sockets inherit it in the kernel) and `net.server.socket` keeps it on each accepted
//   socket without a syscall, or writes it where Node rewrote it (`keepAlive: true` servers), where
//   the listener could not be configured (already listening, cluster worker) or with a filter.
// A client is decided at its 'connect' (addresses known then): Unix sockets, whose connect() cannot
// be told from a TCP one before, are left alone without a syscall.
import * as dc from 'node:diagnostics_channel';
import * as net from 'node:net';
import { configure, keptOptions } from './configure';
import { invalidArgType, readArgument } from './errors';
import { adoptKeepAliveWith, keepAliveSocketWith } from './keepalive';
import {
  acceptingServer, beforeEverySocketConnect, clientChannelAtEveryConnect, onEveryConnect, serverAppliesNodeKeepAlive,
} from './node-internals';
import { mergeConfigs, readOptions, type KeepAliveConfig, type KeepAliveOptions } from './options';
import { capabilities, listenerPassesOn } from './platform';

export interface EverywhereInfo {
  /** 'client': a connection this process opened; 'server': one a server of this process accepted. */
  direction: 'client' | 'server';
  /** The peer's address for a client, the local (listening) address for a server. */
  host?: string;
  /** The peer's port for a client, the local (listening) port for a server. */
  port?: number;
}

export interface EverywhereSettings {
  /** Configure connections this process opens (default true). */
  clients?: boolean;
  /** Configure connections servers of this process accept (default true). */
  servers?: boolean;
  /** Return false to leave a connection alone. Called once per connection, at 'connect' / accept. */
  filter?: (socket: net.Socket, info: EverywhereInfo) => boolean;
}

export interface EverywhereHandle {
  /** Stops configuring new connections; configured ones keep their configuration. Idempotent. */
  close(): void;
}

interface Policy {
  config: KeepAliveConfig;
  clients: boolean;
  servers: boolean;
  filter: EverywhereSettings['filter'];
}

const CLIENT_CHANNEL = 'net.client.socket';
const ACCEPTED_CHANNEL = 'net.server.socket';
const LISTEN_END_CHANNEL = 'tracing:net.server.listen:asyncEnd';

// The policies opened in this thread and not closed; the newest one is in force.
const policies: Policy[] = [];
// Client sockets already given to the policy (a reconnect of the same object is kept by the core).
const claimed = new WeakSet<net.Socket>();
// Listening sockets configured by a policy, with that policy: their accepted sockets inherit it.
const listeners = new WeakMap<net.Server, Policy>();
let removeConnectWrapper: (() => void) | undefined;
// Told about every socket a policy configured (metrics watch them with a monitor).
const socketListeners = new Set<(socket: net.Socket) => void>();

function inForce(): Policy | undefined {
  return policies[policies.length - 1];
}

let warned = false;
/** A failure to configure one socket is never thrown into the application: reported once. */
function report(error: unknown): void {
  if (warned) return;
  warned = true;
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`keepAliveEverywhere left a socket unconfigured: ${message}`, { code: 'TCP_KEEPALIVE_EVERYWHERE' });
}

function wanted(policy: Policy, socket: net.Socket, info: EverywhereInfo): boolean {
  if (!policy.filter) return true;
  try {
    return policy.filter(socket, info) === true;
  } catch (error) {
    report(error);
    return false;
  }
}

/** Tells the listeners about a socket a policy has just configured; a listener never throws into
 *  the application (reported once, like a configuration failure). */
function configured(socket: net.Socket): void {
  for (const listener of socketListeners) {
    try {
      listener(socket);
    } catch (error) {
      report(error);
    }
  }
}

/**
 * Calls `listener` with every socket an open policy (keepAliveEverywhere, the preload) configures
 * from now on, right after its configuration: how `tcp-keepalive/metrics` (`everywhere: true`)
 * watches every connection of the policy. Returns a function that removes the listener.
 */
export function onEverywhereSocket(listener: (socket: net.Socket) => void): () => void {
  if (typeof listener !== 'function') throw invalidArgType('listener', 'of type function', listener);
  const own = (socket: net.Socket): void => listener(socket); // one entry per call, even for the same function
  socketListeners.add(own);
  return () => {
    socketListeners.delete(own);
  };
}

// ---- clients -------------------------------------------------------------------------------------

function onClientConnect(socket: net.Socket): void {
  const policy = inForce();
  if (!policy?.clients || claimed.has(socket) || keptOptions(socket)) return;
  claimed.add(socket);
  // Decided at 'connect'; configuring there replaces this hook with the core's, which keeps the
  // configuration at every later 'connect' of the same object.
  onEveryConnect(socket, atClientConnect);
}

function atClientConnect(socket: net.Socket): void {
  const policy = inForce();
  if (!policy?.clients || typeof socket.remotePort !== 'number') return; // closed, or a Unix socket
  if (keptOptions(socket)) return; // configured explicitly meanwhile: that wins
  if (!wanted(policy, socket, { direction: 'client', host: socket.remoteAddress, port: socket.remotePort })) return;
  try {
    keepAliveSocketWith(socket, policy.config, true);
  } catch (error) {
    report(error);
    return;
  }
  configured(socket);
}

function onClientMessage(message: unknown): void {
  const socket = (message as { socket?: unknown }).socket;
  if (socket instanceof net.Socket) onClientConnect(socket);
}

// ---- servers -------------------------------------------------------------------------------------

function onListening(message: unknown): void {
  const server = (message as { server?: unknown }).server;
  const policy = inForce();
  if (!(server instanceof net.Server) || !policy?.servers || policy.filter) return;
  const address = server.address();
  if (!address || typeof address !== 'object') return; // a Unix server
  if (!listenerPassesOn(policy.config.mask)) return; // each accepted socket is configured instead
  try {
    configure(server, policy.config);
    listeners.set(server, policy);
  } catch {
    // No listening socket of its own (a cluster worker): each accepted socket is configured.
  }
}

function onAccepted(message: unknown): void {
  const socket = (message as { socket?: unknown }).socket;
  const policy = inForce();
  if (!(socket instanceof net.Socket) || !policy?.servers || typeof socket.remotePort !== 'number') return;
  if (keptOptions(socket)) return; // keepAliveServer() configured it: that wins
  if (!wanted(policy, socket, { direction: 'server', host: socket.localAddress, port: socket.localPort })) return;
  const server = acceptingServer(socket);
  try {
    if (server && listeners.get(server) === policy && !serverAppliesNodeKeepAlive(server)) {
      adoptKeepAliveWith(socket, policy.config); // inherited from the listener: no syscall
    } else {
      keepAliveSocketWith(socket, policy.config, true);
    }
  } catch (error) {
    report(error);
    return;
  }
  configured(socket);
}

// ---- hooks: installed while a policy is open -----------------------------------------------------

function install(): void {
  if (clientChannelAtEveryConnect()) dc.subscribe(CLIENT_CHANNEL, onClientMessage);
  else removeConnectWrapper = beforeEverySocketConnect(net.Socket, onClientConnect);
  dc.subscribe(LISTEN_END_CHANNEL, onListening);
  dc.subscribe(ACCEPTED_CHANNEL, onAccepted);
}

function uninstall(): void {
  dc.unsubscribe(CLIENT_CHANNEL, onClientMessage);
  removeConnectWrapper?.();
  removeConnectWrapper = undefined;
  dc.unsubscribe(LISTEN_END_CHANNEL, onListening);
  dc.unsubscribe(ACCEPTED_CHANNEL, onAccepted);
}

/**
 * The data-in-flight policy: keepalive stops probing as soon as data is unacknowledged (a query
 * written into a dead path), so unless `userTimeout` is given, it defaults to the keepalive
 * detection time idle + interval x count (when all three are given and the OS has the option).
 * `userTimeout: 0` keeps the kernel's default (no bound).
 */
export function policyConfig(options: KeepAliveOptions): KeepAliveConfig {
  const config = readOptions(options);
  const { enable, idle, interval, count, userTimeout } = config.given;
  if (userTimeout !== undefined || enable === false || !capabilities().userTimeout) return config;
  if (idle === undefined || interval === undefined || count === undefined) return config;
  return mergeConfigs(config, readOptions({ userTimeout: Math.ceil(idle + interval * count) }));
}

function readSettings(settings: unknown): Omit<Policy, 'config'> {
  if (settings === undefined) return { clients: true, servers: true, filter: undefined };
  if (typeof settings !== 'object' || settings === null) throw invalidArgType('settings', 'of type object', settings);
  const { clients = true, servers = true, filter } = readArgument('settings', () => ({ ...(settings as Record<string, unknown>) }));
  if (typeof clients !== 'boolean') throw invalidArgType('settings.clients', 'of type boolean', clients);
  if (typeof servers !== 'boolean') throw invalidArgType('settings.servers', 'of type boolean', servers);
  if (filter !== undefined && typeof filter !== 'function') throw invalidArgType('settings.filter', 'of type function', filter);
  return { clients, servers, filter: filter as EverywhereSettings['filter'] };
}

/**
 * Configures every TCP connection this thread opens (`clients`) and accepts (`servers`) from now
 * on with `options`, and keeps it through Node's and drivers' own setKeepAlive calls. Unless
 * `userTimeout` is given it is set to idle + interval x count (see policyConfig). The newest open
 * policy is in force; `close()` stops configuring new connections (configured sockets, and
 * listening sockets whose accepted connections inherit in the kernel, keep their values) and
 * removes every hook once no policy is open. Options and settings are validated now.
 */
export function keepAliveEverywhere(options: KeepAliveOptions, settings?: EverywhereSettings): EverywhereHandle {
  const policy: Policy = { config: policyConfig(options), ...readSettings(settings) };
  if (policies.length === 0) install();
  policies.push(policy);
  return {
    close(): void {
      const at = policies.indexOf(policy);
      if (at < 0) return;
      policies.splice(at, 1);
      if (policies.length === 0) uninstall();
    },
  };
}
