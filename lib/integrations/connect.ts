// connect / tlsConnect: net.connect and tls.connect with the keepalive configuration applied
// before any 'connect' listener runs (and after Node's own `keepAlive: true` handling), kept
// through Node's later setKeepAlive calls.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { invalidArgType, optionsUnreadable } from '../errors';
import { readOptions, type KeepAliveConfig, type KeepAliveOptions } from '../options';
import { keepAliveSocketWith } from '../keepalive';

/** Every argument is checked before anything connects: a socket is never left behind by a throw. */
function checkArguments(options: unknown, listener: unknown, listenerName: string): void {
  if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
  if (listener !== undefined && typeof listener !== 'function') throw invalidArgType(listenerName, 'of type function', listener);
}

/** Node's own connect; an error it throws without a code (its message builder can fail) gets one. */
function nodeConnect<S extends net.Socket>(open: () => S): S {
  try {
    return open();
  } catch (error) {
    if (typeof (error as { code?: unknown } | null)?.code === 'string') throw error;
    throw optionsUnreadable('options', error);
  }
}

/** Configures a socket just created here; if that fails it is destroyed, never left open. */
function configured<S extends net.Socket>(socket: S, config: KeepAliveConfig): S {
  try {
    return keepAliveSocketWith(socket, config);
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** `net.connect(options)` whose socket carries `keepAlive` from its 'connect' event on. */
export function connect(
  options: net.NetConnectOpts,
  keepAlive: KeepAliveOptions,
  connectListener?: () => void,
): net.Socket {
  const config = readOptions(keepAlive); // read once: bad options throw before anything connects
  checkArguments(options, connectListener, 'connectListener');
  const socket = configured(nodeConnect(() => net.connect(options)), config);
  if (connectListener) socket.once('connect', connectListener);
  return socket;
}

/** `tls.connect(options)` whose socket carries `keepAlive` from its 'connect' event on. */
export function tlsConnect(
  options: tls.ConnectionOptions,
  keepAlive: KeepAliveOptions,
  secureConnectListener?: () => void,
): tls.TLSSocket {
  const config = readOptions(keepAlive);
  checkArguments(options, secureConnectListener, 'secureConnectListener');
  const socket = configured(nodeConnect(() => tls.connect(options)), config);
  if (secureConnectListener) socket.once('secureConnect', secureConnectListener);
  return socket;
}

/**
 * A factory of unconnected sockets that carry `keepAlive` from their 'connect' on, for drivers that
 * take a socket and call `connect()` on it themselves (pg's `stream` option: a socket from
 * `connect()` would fail there with EALREADY). Options are read once, here.
 */
export function keepAliveStream(keepAlive: KeepAliveOptions): () => net.Socket {
  const config = readOptions(keepAlive);
  return () => keepAliveSocketWith(new net.Socket(), config);
}
